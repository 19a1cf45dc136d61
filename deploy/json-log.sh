# Sourced by the scripts under deploy/: their log (stderr, and stdout where a scheduler collects it) is JSON
# lines only, as a log collector expects. The tool's own log lines are JSON already (--log-format json);
# what it writes for people (an `error: ...` line, argparse's usage) becomes a JSON line here.

# json_log EVENT LEVEL [FIELDS]: one JSON line on stderr; FIELDS is `"key": value, ...` JSON already.
json_log() {
    printf '{"event": "%s", "level": "%s", "logger": "%s"%s}\n' "$(json_escape "$1")" "$2" \
        "$(basename "$0")" "${3:+, $3}" >&2
}

# json_escape TEXT: TEXT as the inside of a JSON string (backslash, quote and control characters escaped;
# the tool's messages are printable already: terminal controls are replaced before they are written).
json_escape() {
    local text=$1
    text=${text//\\/\\\\}
    text=${text//\"/\\\"}
    text=${text//$'\t'/\\t}
    text=${text//$'\r'/}
    printf '%s' "$text"
}

# ... 2>&1 >/dev/null | as_json_lines: every line that is not JSON already becomes a JSON line on stderr.
as_json_lines() {
    local line
    while IFS= read -r line || [[ -n "$line" ]]; do
        case "$line" in
            "{"*"}") printf '%s\n' "$line" >&2 ;;
            "") ;;
            error:*|*": error: "*|usage:*) json_log "$line" error ;;
            warning:*) json_log "$line" warning ;;
            *) json_log "$line" info ;;
        esac
    done
}
