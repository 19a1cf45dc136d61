"""Every relative link of the README and the docs/ pages leads somewhere: the file exists and, when the link
names an anchor, the page has that heading. Every docs page is reachable from the README."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.docs.markdown import ROOT, anchors, documentation_files, links

PAGES = documentation_files()


def _broken(page: Path) -> list[str]:
    problems = []
    for line, target in links(page):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / unquote(path_part)).resolve() if path_part else page
        where = f"{page.relative_to(ROOT)}:{line}: {target}"
        if not destination.exists():
            problems.append(f"{where}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            problems.append(f"{where}: {destination.relative_to(ROOT)} has no heading with the anchor #{anchor}")
        elif anchor and destination.suffix != ".md":
            problems.append(f"{where}: an anchor into a file that is not Markdown")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(ROOT)) for page in PAGES])
def test_relative_links_and_anchors_resolve(page: Path) -> None:
    assert _broken(page) == []


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    reachable, queue = set(), [ROOT / "README.md"]
    while queue:
        page = queue.pop()
        if page in reachable:
            continue
        reachable.add(page)
        for _, target in links(page):
            path_part = target.partition("#")[0]
            if path_part and not target.startswith(("http://", "https://", "mailto:")):
                destination = (page.parent / unquote(path_part)).resolve()
                if destination.suffix == ".md" and destination.is_file() and ROOT in destination.parents:
                    queue.append(destination)
    unreachable = [str(page.relative_to(ROOT)) for page in PAGES if page not in reachable]
    assert unreachable == []


def test_the_link_checker_finds_a_broken_anchor_and_a_missing_file(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## A `code` heading: yes\n\n[ok](#a-code-heading-yes) [bad](#nope) "
                    "[gone](missing.md) [self](page.md#title)\n\n```sh\n[not a link](#in-code)\n```\n",
                    encoding="utf-8")
    problems = [problem.split(": ", 2)[-1] for problem in _broken_at(page)]
    assert problems == ["page.md has no heading with the anchor #nope", "no such file"]


def _broken_at(page: Path) -> list[str]:
    """_broken for a page outside the repository (relative paths shown from its folder)."""
    import tests.docs.test_links as module

    saved = module.ROOT
    module.ROOT = page.parent
    try:
        return _broken(page)
    finally:
        module.ROOT = saved
