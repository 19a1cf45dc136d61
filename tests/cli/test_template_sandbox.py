"""Content templates render in Jinja2's sandbox: known escape payloads are one-line `validate` errors naming
the template file, and none of them runs anything (each would create a marker file if it did)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.content.templates import load_template
from tests.cli.conftest import CliRunner
from tests.support import write_fleet

# {MARK} is replaced by a path that must still not exist after validate.
PAYLOADS = {
    "cycler globals os.popen": "{{ cycler.__init__.__globals__.os.popen('touch {MARK}').read() }}",
    "str mro subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "template reference context": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os"
                                  ".system('touch {MARK}') }}",
    "self context alone": "{{ self._TemplateReference__context }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('touch {MARK}').read() }}",
    "lipsum builtins import": "{{ lipsum.__globals__.__builtins__.__import__('os').system('touch {MARK}') }}",
    "joiner globals": "{{ joiner.__init__.__globals__.os.popen('touch {MARK}').read() }}",
    "namespace globals": "{{ namespace.__init__.__globals__.os.popen('touch {MARK}').read() }}",
    "namespace instance class": "{% set ns = namespace() %}{{ ns.__class__.__init__.__globals__ }}",
    "attr filter": "{{ (cycler|attr('__init__')|attr('__globals__'))['os'].popen('touch {MARK}').read() }}",
    "builtins open .env": "{{ cycler.__init__.__globals__.__builtins__.open('.env').read() }}",
    "str.format escape": "{{ '{0.__init__.__globals__[os]}'.format(cycler) }}",
    "huge string": "{{ 'x' * 10000000000 }}",
    "huge power": "{{ 10 ** 100000000 }}",
    "division by zero": "{{ 1 / 0 }}",
}


def ccpa_fleet(tmp_path: Path, body: str) -> list[str]:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "ccpa.en.html").write_text(
        f'<h2>Do not sell</h2>\n<p>{body}</p>\n<p><a href="{{{{ contact_url }}}}">Contact us</a></p>\n',
        encoding="utf-8")
    path = write_fleet(tmp_path, "http://127.0.0.1:9",
                       {"ccpa_page": {"state": "present", "template": "templates/ccpa.{locale}.html"}}, ["shop-en"])
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_escape_payloads_are_refused_and_run_nothing(cli: CliRunner, tmp_path: Path, payload: str) -> None:
    mark = tmp_path / "pwned"
    args = ccpa_fleet(tmp_path, payload.replace("{MARK}", str(mark)))
    result = cli("validate", *args)
    assert result.code == 1, result.out + result.err
    assert not mark.exists(), "the template ran a command"
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert f"template {tmp_path / 'templates' / 'ccpa.en.html'}" in lines[0]
    assert "store shop-en" in lines[0]


def test_ordinary_templates_still_render_with_escaping(cli: CliRunner, tmp_path: Path) -> None:
    """The control: variables, filters, loops and autoescape work as before in the sandbox."""
    body = ("{{ company }} &middot; {{ company|lower }} {% for n in range(3) %}{{ n }}{% endfor %} "
            "{{ '<b>' }} {{ 'ab' * 3 }}")
    args = ccpa_fleet(tmp_path, body)
    result = cli("validate", *args)
    assert result.code == 0, result.out + result.err
    template = load_template("templates/ccpa.{locale}.html", tmp_path, "en", "shop-en")
    html = template.render({"company": "A&B", "contact_url": "https://x.test/contact"})
    assert "A&amp;B" in html and "a&amp;b" in html and "012" in html and "&lt;b&gt;" in html
    assert "ababab" in html


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"<h1>caf\xe9</h1>"],
                         ids=["binary", "latin-1"])
def test_binary_or_non_utf8_template_is_one_line_error(cli: CliRunner, tmp_path: Path, content: bytes) -> None:
    args = ccpa_fleet(tmp_path, "x")
    (tmp_path / "templates" / "ccpa.en.html").write_bytes(content)
    result = cli("validate", *args)
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert "Traceback" not in result.err and str(tmp_path / "templates" / "ccpa.en.html") in line
