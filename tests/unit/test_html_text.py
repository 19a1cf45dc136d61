"""Page content compared by meaning: normalisation and the readable text diff."""

from __future__ import annotations

import pytest

from flows.content.html_text import page_text, same_meaning, text_diff
from mock_backoffice.richtext import clean_html
from tests.unit.content_support import render_policy


def test_blocks_headings_lists_and_links_become_lines() -> None:
    html = """<h2>Who  we are</h2><p>Shop &amp; Co,<br>Main Street 1</p>
    <ul><li>name</li><li><p>email</p></li></ul><ol><li>first</li><li>second</li></ol>
    <p>Mail <a href="mailto:a@b.test">a@b.test</a> or use the <a href="/service/contact/">contact page</a>.</p>"""
    assert page_text(html).splitlines() == [
        "## Who we are", "Shop & Co,", "Main Street 1", "- name", "- email", "1. first", "2. second",
        "Mail a@b.test or use the contact page </service/contact/>.",
    ]


@pytest.mark.parametrize(("a", "b"), [
    ("<p>We <b>collect</b> your <i>name</i>.</p>", "<p>We <strong>collect</strong> your <em>name</em>.</p>"),
    ("<p>caf\u00e9 &#39;x&#39; \u20ac</p>", "<p>caf&eacute; 'x' &euro;</p>"),
    ("<p>one   two\n three</p><p></p><p>&nbsp;</p>", "<p>one two three</p>"),
    ('<p><a target="_blank" href="https://x.test" class="c">x</a></p>',
     '<p><a href="https://x.test" rel="noopener noreferrer" target="_blank">x</a></p>'),
    ("loose text<div>block</div>", "<p>loose text</p>\n<p>block</p>"),
    ("<p>a<br>b<br></p>", "<p>a<br />b</p>"),
    ("<p>text</p><script>alert(1)</script><style>p{}</style>", "<p>text</p>"),
])
def test_what_the_editor_rewrites_means_the_same(a: str, b: str) -> None:
    assert same_meaning(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("<p>We collect your name.</p>", "<p>We collect your name and email.</p>"),
    ("<h2>Cookies</h2>", "<p>Cookies</p>"),  # a heading is structure, not decoration
    ("<ul><li>name</li></ul>", "<p>name</p>"),
    ('<a href="/service/contact/">contact</a>', '<a href="/service/other/">contact</a>'),
    ("<p>one</p><p>two</p>", "<p>one two</p>"),
])
def test_changes_a_reader_would_notice_count(a: str, b: str) -> None:
    assert not same_meaning(a, b)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_mock_editor_rewrite_of_the_shipped_templates_means_the_same(locale: str) -> None:
    policy_html = render_policy(locale)
    rewritten = clean_html(policy_html)
    assert rewritten != policy_html
    assert page_text(rewritten) == page_text(policy_html)


def test_diff_is_of_text_wrapped_and_unified() -> None:
    old = page_text("<p>We respect your privacy.</p>")
    new = page_text("<p>We respect your privacy.</p><h2>Cookies</h2><p>" + "word " * 40 + "end.</p>")
    diff = text_diff(old, new).splitlines()
    assert diff[:2] == ["--- current", "+++ desired"]
    assert " We respect your privacy." in diff and "+## Cookies" in diff
    assert all(len(line) <= 101 for line in diff)  # long paragraphs are wrapped for reading
    assert not any("<p>" in line for line in diff)
    assert text_diff(old, old) == ""
