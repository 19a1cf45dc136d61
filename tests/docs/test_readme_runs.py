"""The README's first real store, run as written against the mock backoffice: its shell blocks in bash (the
`apply` answered 'yes' on a terminal), its fleet file and .env as given, only the store's address mapped to a
mock store seeded with the README's own login. A newcomer who follows the README gets what it says."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.docs.markdown import ROOT, CodeBlock, code_blocks
from tests.support import http_json

README = ROOT / "README.md"
VENV_BIN = Path(sys.executable).parent
REAL_ADDRESS = "https://my-shop.webshopapp.com"


def _readme_blocks() -> tuple[list[CodeBlock], str, str]:
    """The blocks marked `run first-store`, the fleet file and the .env file the README gives for it."""
    blocks = code_blocks(README)
    runs = [block for block in blocks if block.marker == "run" and block.marker_note.startswith("first-store")]
    fleet = next(block.text for block in blocks if block.language == "yaml" and "stores:" in block.text)
    dotenv = next(block.text for block in blocks if block.language == "dotenv")
    return runs, fleet, dotenv


def _as_traced_script(block: CodeBlock) -> str:
    """The block's lines as written, each followed by a line that appends its exit code to $DOC_TEST_EXITS."""
    lines = []
    for line in block.text.splitlines():
        command = line.split("#")[0].strip()
        if command:
            lines.append(f'echo "::doc-test:: {command}"')  # where its output starts on stdout
        lines.append(line)
        if command:
            lines.append(f'echo "{command} -> $?" >> "$DOC_TEST_EXITS"')
    return "\n".join(lines) + "\n"


@pytest.mark.browser
def test_the_readme_first_store_runs_as_written_against_the_mock(tmp_path: Path) -> None:
    from mock_backoffice import MockServer

    runs, fleet_text, dotenv = _readme_blocks()
    assert len(runs) == 2, "the README's setup block and its plan/apply/verify block"
    fleet = yaml.safe_load(fleet_text)
    (store,) = fleet["stores"]
    secrets = dict(line.split("=", 1) for line in dotenv.splitlines() if line.strip())
    seed = {"stores": [{"id": store["id"], "name": store["vars"]["company"], "locale": store["backoffice_locale"],
                        "email": secrets[store["credentials"]["email_env"]],
                        "password": secrets[store["credentials"]["password_env"]], "cookie_law": {"mode": "none"}}]}
    (tmp_path / "config").symlink_to(ROOT / "config")  # the README's commands run from a checkout
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    setup = subprocess.run(["bash", "-euo", "pipefail", "-c", runs[0].text], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert setup.returncode == 0, setup.stderr
    folder = tmp_path / "my-fleet"
    assert (folder / "templates" / "privacy-policy.nl.html").is_file()

    with MockServer(seed) as server:
        (folder / "fleet.yaml").write_text(fleet_text.replace(REAL_ADDRESS, f"{server.url}/{store['id']}"),
                                           encoding="utf-8")
        (folder / ".env").write_text(dotenv, encoding="utf-8")
        exits_file = tmp_path / "exits"
        terminal, terminal_side = pty.openpty()
        os.write(terminal, b"yes\n")  # the answer to apply's question, typed ahead on its terminal
        try:
            result = subprocess.run(["bash", "-c", _as_traced_script(runs[1])], cwd=tmp_path,
                                    env={**env, "DOC_TEST_EXITS": str(exits_file)}, stdin=terminal_side,
                                    capture_output=True, text=True, timeout=600)
        finally:
            os.close(terminal_side)
            os.close(terminal)
        exits = dict(re.match(r"(.*) -> (\d+)$", line).groups()  # type: ignore[union-attr]
                     for line in exits_file.read_text().splitlines())
        state = http_json(f"{server.url}/__mock__/state")["stores"][store["id"]]
    transcript = result.stdout + result.stderr
    assert exits == {"cd my-fleet": "0", "ecom-privacy validate -c fleet.yaml": "0",
                     "ecom-privacy plan -c fleet.yaml": "2", "ecom-privacy apply -c fleet.yaml": "0",
                     "ecom-privacy verify -c fleet.yaml": "0"}, transcript
    assert "Only 'yes' will be accepted" in result.stdout
    assert state["cookie_law"]["mode"] == "confirm"
    outputs = dict(part.split("\n", 1) for part in result.stdout.split("::doc-test:: ")[1:])
    [sample] = [block for block in code_blocks(README) if block.marker == "output"]
    assert sample.marker_note.startswith("first-store plan")
    assert outputs["ecom-privacy plan -c fleet.yaml"] == sample.text  # the README shows what the tool prints
