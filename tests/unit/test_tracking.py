"""Which cookies and requests count as analytics or advertising."""

from __future__ import annotations

from flows.tracking import classify_cookie, classify_request, tracking_cookies, tracking_requests


def test_cookie_categories() -> None:
    assert classify_cookie("_ga") == "analytics"
    assert classify_cookie("_ga_ABC123") == "analytics"
    assert classify_cookie("_gid") == "analytics"
    assert classify_cookie("_gcl_au") == "advertising"
    assert classify_cookie("_fbp") == "advertising"
    for harmless in ("COOKIELAW", "COOKIELAW_STATS", "session_id", "backend_session_id", "_game"):
        assert classify_cookie(harmless) is None


def test_request_categories() -> None:
    assert classify_request("http://127.0.0.1:8800/shop/g/collect?v=2&tid=G-X") == "analytics"
    assert classify_request("https://region1.google-analytics.com/g/collect?v=2") == "analytics"
    assert classify_request("https://www.facebook.com/tr?id=1") == "advertising"
    assert classify_request("https://stats.g.doubleclick.net/j/collect") in ("analytics", "advertising")
    assert classify_request("http://127.0.0.1:8800/shop/static/gtag.js") is None
    assert classify_request("http://127.0.0.1:8800/shop/collection/shoes") is None


def test_filters_by_category() -> None:
    cookies = [{"name": "_ga"}, {"name": "_gcl_au"}, {"name": "COOKIELAW"}]
    assert tracking_cookies(cookies) == ["_ga", "_gcl_au"]
    assert tracking_cookies(cookies, ("advertising",)) == ["_gcl_au"]
    assert tracking_requests(["http://h/s/g/collect?x", "http://h/s/"]) == ["http://h/s/g/collect?x"]
