"""Content templates render in Jinja2's sandbox: known escape payloads are one-line `validate` errors naming
the template file, and none of them runs anything (each would create a marker file if it did)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.content.templates import load_template
from tests.cli.conftest import CliRunner
from tests.support import write_fleet

ROOT = Path(__file__).resolve().parents[2]

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


# -- templates cannot reach files (issue #24, finding 4) --------------------------------------------------------

def _reaching(tmp_path: Path) -> dict[str, str]:
    """Bodies that try to reach a file beside or outside the template; the files they aim at exist."""
    (tmp_path / "templates" / ".env").write_text("EP_SHOP_EN_PASSWORD=En-Password-2018!\n", encoding="utf-8")
    (tmp_path / "templates" / ".git").mkdir(exist_ok=True)
    (tmp_path / "templates" / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("a host file\n", encoding="utf-8")
    (tmp_path / "templates" / "link.html").symlink_to(tmp_path / "outside.txt")
    return {
        "include .env": "{% include '.env' %}",
        "import .env": "{% import '.env' as env %}{{ env }}",
        "extends .env": "{% extends '.env' %}",
        "include dotted folder": "{% include '.git/config' %}",
        "include parent": "{% include '../fleet.yaml' %}",
        "include absolute": "{% include '/etc/hostname' %}",
        "include a link out": "{% include 'link.html' %}",
        "include a list with .env": "{% include ['missing.html', '.env'] %}",
    }


@pytest.mark.parametrize("case", ["include .env", "import .env", "extends .env", "include dotted folder",
                                  "include parent", "include absolute", "include a link out",
                                  "include a list with .env"])
def test_a_template_cannot_include_import_or_extend_a_file_outside_its_folder_or_a_dotfile(
        cli: CliRunner, tmp_path: Path, case: str) -> None:
    (tmp_path / "templates").mkdir(exist_ok=True)
    body = _reaching(tmp_path)[case]
    result = cli("validate", *ccpa_fleet(tmp_path, body))
    assert result.code == 1, result.out + result.err
    [line] = result.err.strip().splitlines()
    assert "refused by the template sandbox" in line and "store shop-en" in line, line
    assert "En-Password-2018!" not in line and "a host file" not in line


def test_a_template_may_still_include_a_sibling_template(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "footer.html").write_text("<p>{{ company }} footer</p>\n", encoding="utf-8")
    args = ccpa_fleet(tmp_path, "{% include 'footer.html' %}")
    assert cli("validate", *args).code == 0
    template = load_template("templates/ccpa.{locale}.html", tmp_path, "en", "shop-en")
    assert "Shop footer" in template.render({"company": "Shop", "contact_url": "https://x.test/contact"})


def test_a_template_that_is_a_link_out_of_its_folder_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    args = ccpa_fleet(tmp_path, "x")
    secret = tmp_path / "secret.html"
    secret.write_text("<p>the host's file</p>\n", encoding="utf-8")
    page = tmp_path / "templates" / "ccpa.en.html"
    page.unlink()
    page.symlink_to(secret)
    result = cli("validate", *args)
    assert result.code == 1 and "is a link to" in result.err and "outside the template's folder" in result.err


def test_nested_loops_are_stopped_by_the_render_budget(tmp_path: Path) -> None:
    """Low finding: two nested `range(100000)` loops made `validate` hang; the render budget stops them with one
    line. (A real process, with a generous timeout only so that a regression fails instead of hanging.)"""
    args = ccpa_fleet(tmp_path, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    result = subprocess.run([sys.executable, "-m", "automation", "validate", *args], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "refused by the template sandbox: rendering took more than" in line and "store shop-en" in line


@pytest.mark.parametrize("body", [
    "{{ ('x' * 1000000)|replace('x', 'x' * 1000000) }}",
    "{{ 'x'|center(10 ** 12) }}",
    "{{ '%999999999s'|format('x') }}",
    "{{ '%999999999s' % 'x' }}",
    "{{ '{:>999999999}'.format('x') }}",
    "{{ 'x'.ljust(10 ** 10) }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "{{ (['x' * 1000000] * 1000)|join }}",
], ids=["replace", "center", "format filter", "percent", "str.format", "ljust", "doubling", "join"])
def test_text_that_would_fill_the_memory_is_refused(cli: CliRunner, tmp_path: Path, body: str) -> None:
    result = cli("validate", *ccpa_fleet(tmp_path, body))
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert "refused by the template sandbox" in line, line
