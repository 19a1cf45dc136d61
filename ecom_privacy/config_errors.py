"""Validation errors of input files in the tool's own words: key path, what is wrong, the closest valid key.

The models of the fleet file, breach facts and saved plans are pydantic models, whose messages speak pydantic
("Extra inputs are not permitted", "Input should be 'a' or 'b'", "Value error, ..."). A person reading a
config error needs the key path, what the value must be, and, for a misspelt key or value, the closest valid
one ("did you mean 'mode'?"). `describe` turns one pydantic error into that; the caller adds the file and
line (`ecom_privacy.yaml_input.YamlDocument.where`).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

#: pydantic error types and the words a person reads instead (placeholders: the error's `ctx`)
_PLAIN: dict[str, str] = {
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a mapping (key: value lines, or {key: value})",
    "model_type": "must be a mapping (key: value lines, or {key: value})",
    "model_attributes_type": "must be a mapping (key: value lines, or {key: value})",
    "list_type": "must be a list ([a, b] or '- ' lines)",
    "too_short": "must have at least {min_length} item(s)",
    "too_long": "must have at most {max_length} item(s)",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "must be a date without a time (YYYY-MM-DD)",
    "datetime_type": "must be a date and time (YYYY-MM-DDTHH:MM, with an offset or in the --tz zone)",
    "datetime_parsing": "must be a date and time (YYYY-MM-DDTHH:MM, with an offset or in the --tz zone)",
    "datetime_from_date_parsing": "must be a date and time (YYYY-MM-DDTHH:MM, with an offset or in the --tz zone)",
    "missing": "required, but not given",
    "none_required": "must be empty (null)",
    "url_parsing": "must be an address (https://...)",
    "url_type": "must be an address (https://...)",
    "json_invalid": "must be valid JSON",
    "frozen_instance": "cannot be changed",
}
#: what pydantic messages start with, and the tool's words, for types not listed above
_PHRASES = (("Input should be", "must be"), ("Value error, ", ""), ("Assertion failed, ", ""),
            ("String should", "must"), ("List should", "must"), ("Dictionary should", "must"))


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like `word` (a misspelling), or None when none is close."""
    options = [str(candidate) for candidate in candidates]
    match = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    if match:
        return match[0]
    folded = {option.casefold(): option for option in options}
    return folded.get(word.casefold())


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """"; did you mean 'x'?" for a close candidate, else "; known: a, b, c" (empty when there are none)."""
    options = [str(candidate) for candidate in candidates]
    match = closest(word, options)
    if match is not None:
        return f"; did you mean {match!r}?"
    return f"; known: {', '.join(options)}" if options else ""


def key_path(loc: Sequence[str | int]) -> str:
    """`stores[0].credentials.password_env` from pydantic's location tuple."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _expected_values(error: ErrorDetails) -> list[str]:
    """The allowed values of a literal or enum error (pydantic gives them as "'a', 'b' or 'c'")."""
    expected = str((error.get("ctx") or {}).get("expected", ""))
    quoted = re.findall(r"'([^']*)'", expected)
    return quoted or [part.strip() for part in re.split(r",| or ", expected) if part.strip()]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds directly, or inside a list, a dict's values or an Optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset, dict, typing.Union, types.UnionType) or origin is None:
        for argument in typing.get_args(annotation):
            found = _model_of(argument)
            if found is not None:
                return found
    return None


def fields_at(model: type[BaseModel] | None, loc: Sequence[str | int]) -> list[str] | None:
    """The keys the model accepts at `loc` (the mapping holding the last key), or None when not a model."""
    current = model
    for part in loc[:-1]:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            # a key of a dict field (a group name, a language): its value's model, if any, is one level down
            continue
        current = _model_of(field.annotation)
    return list(current.model_fields) if current is not None else None


def describe(error: ErrorDetails, model: type[BaseModel] | None = None) -> str:
    """What is wrong with the value at `error['loc']`, in the tool's words, without the key path itself."""
    kind = error["type"]
    loc = tuple(error["loc"])
    given = error.get("input")
    if kind == "extra_forbidden":
        known = fields_at(model, loc) if model is not None else None
        return "unknown key" + (did_you_mean(str(loc[-1]), known) if known else "; remove it or check its spelling")
    if kind in ("literal_error", "enum"):
        values = _expected_values(error)
        shown = ", ".join(values)
        hint = f"; did you mean {match!r}?" if isinstance(given, str) and (match := closest(given, values)) else ""
        if len(values) == 1:
            return f"must be {shown}, not {given!r}"
        return f"{given!r} is not one of {shown}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        return f"{given!r} does not have the expected form (pattern {pattern})"
    if kind == "dict_type" and isinstance(given, Enum | str | int | float | bool | type(None)):
        return f"must be a mapping (key: value lines, or {{key: value}}), not {given!r}"
    template = _PLAIN.get(kind)
    if template is not None:
        try:
            return template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            return template
    message = str(error.get("msg", "invalid value"))
    for theirs, ours in _PHRASES:
        if message.startswith(theirs):
            message = ours + message[len(theirs):]
            break
    return " ".join(message.split()) or "invalid value"
