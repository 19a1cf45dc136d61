"""report.html without a browser: diffs or before/after, escaping, links to the files a store left."""

from __future__ import annotations

from pathlib import Path

from automation.outputs.html_report import render_html
from ecom_privacy.models import Change, RunDocument, RunKind, SettingResult, SettingStatus, StoreResult


def document() -> RunDocument:
    with_diff = Change(setting="privacy_policy", action="update", summary="content changed",
                       before="<p>old</p>", after="<p>new</p>",
                       diff="--- before\n+++ after\n-<p>old</p>\n+<p>new</p>\n")
    without_diff = Change(setting="cookie_law", action="update", summary="mode none -> custom",
                          before={"mode": "none"}, after={"mode": "custom", "message": "<script>x</script>"})
    return RunDocument(kind=RunKind.APPLY, created_at="2026-01-01T02:00:00+00:00", fleet_file="fleet.yaml", stores=[
        StoreResult(id="shop", changes=[with_diff, without_diff],
                    artifacts=["stores/shop/failure-cookie_law.png"],
                    settings=[SettingResult(setting="cookie_law", status=SettingStatus.CHANGED),
                              SettingResult(setting="privacy_policy", status=SettingStatus.CHANGED)]),
        StoreResult(id="other", settings=[SettingResult(setting="cookie_law", status=SettingStatus.COMPLIANT)]),
    ])


def test_diff_when_present_before_after_otherwise_everything_escaped(tmp_path: Path) -> None:
    html = render_html(document(), tmp_path)
    assert ('<pre class="diff"><span class="header">--- before</span>\n<span class="header">+++ after</span>\n'
            '<span class="remove">-&lt;p&gt;old&lt;/p&gt;</span>\n'
            '<span class="add">+&lt;p&gt;new&lt;/p&gt;</span>') in html
    assert "&#34;mode&#34;: &#34;none&#34;" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html
    # "other" does not manage privacy_policy: its cell says so instead of inventing a status.
    assert html.count("not managed") == 1


def test_links_to_the_files_the_store_left_relative_and_checked(tmp_path: Path) -> None:
    for relative in ("backups/shop/privacy-policy.html", "exports/shop/subscribers.csv"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    html = render_html(document(), tmp_path)
    assert 'backup: <a href="backups/shop/privacy-policy.html">' in html
    assert 'export: <a href="exports/shop/subscribers.csv">' in html
    # The screenshot is listed in the result but not on disk (a copied report without its files).
    assert "stores/shop/failure-cookie_law.png (missing)" in html
