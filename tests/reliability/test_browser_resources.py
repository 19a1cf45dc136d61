"""Backoffice pages load without images, fonts and media: fewer requests per store, less memory."""

from __future__ import annotations

from playwright.async_api import Browser, Request

from automation.browser.launch import new_store_context
from mock_backoffice import MockServer


async def test_images_fonts_and_media_are_not_fetched(browser: Browser, server: MockServer) -> None:
    context = await new_store_context(browser, "en", timeout_ms=10_000)
    fetched: list[str] = []
    failed: list[tuple[str, str]] = []
    try:
        page = await context.new_page()
        page.on("requestfinished", lambda request: fetched.append(request.resource_type))

        def note_failure(request: Request) -> None:
            failed.append((request.resource_type, request.failure or ""))

        page.on("requestfailed", note_failure)
        base = f"{server.url}/alpha/static"
        await page.goto(f"{server.url}/alpha/")
        await page.set_content(
            f'<link rel="stylesheet" href="{base}/admin.css"><img src="{base}/logo.png">'
            f'<video src="{base}/clip.mp4" autoplay></video>'
            f'<style>@font-face {{font-family: F; src: url({base}/f.woff2)}} p {{font-family: F}}</style><p>text</p>',
            wait_until="load",
        )
    finally:
        await context.close()
    assert "stylesheet" in fetched
    assert {kind for kind, _ in failed} >= {"image", "media", "font"}
    assert not {"image", "media", "font"} & set(fetched)
