"""The probe bundle's text scrubbing (pure; the in-browser part is covered by tests/cli/test_probe.py)."""

from __future__ import annotations

import json

from automation.redaction.pages import scrub_aria, scrub_data, scrub_text, scrubbed_json
from automation.redaction.redactor import Redactor


def test_tokens_codes_emails_and_known_secrets_are_scrubbed_paths_and_words_stay() -> None:
    redactor = Redactor(["Hunter2-password"])
    text = ('<a href="/admin/auth/sso?token=abc123DEF&amp;next=/admin">sso</a> '
            '<a href="/cb?code=998877&state=x">cb</a> owner@shop.test '
            'id=Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkwYWJjZGVm Hunter2-password '
            '<link href="/static/admin.css"> settings/web_extras Bevestiging is vereist voor cookies')
    scrubbed = scrub_text(text, redactor)
    for secret in ("abc123DEF", "998877", "owner@shop.test", "Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkwYWJjZGVm",
                   "Hunter2-password"):
        assert secret not in scrubbed
    assert "token=***" in scrubbed and "code=***" in scrubbed and "***@***" in scrubbed
    for kept in ("/static/admin.css", "settings/web_extras", "Bevestiging is vereist voor cookies", "next=/admin"):
        assert kept in scrubbed


def test_text_field_values_of_an_aria_snapshot_are_scrubbed_choices_stay() -> None:
    snapshot = ('- textbox "Measurement ID": G-ABC123\n- textbox "Title"\n'
                '- combobox "Mode":\n  - option "Confirmation is required for cookies" [selected]\n'
                '  - textbox "Content": Our privacy policy: read on')
    scrubbed = scrub_aria(snapshot, Redactor())
    assert "G-ABC123" not in scrubbed and "read on" not in scrubbed
    assert '- textbox "Title"\n' in scrubbed and 'option "Confirmation is required for cookies" [selected]' in scrubbed


def test_a_json_twin_keeps_its_shape_and_choices_and_loses_the_stores_data() -> None:
    answer = {"settings": {"google_search_console": {"meta_tags": "<meta name=google-site-verification x>"},
                           "cookie_law": {"mode": "confirm", "manage_cookies": True,
                                          "message": {"nl": "Wij gebruiken cookies.", "en": ""}}},
              "newsletter_subscriptions": [{"id": 7, "email": "anna@example.test", "firstname": "anna",
                                            "created_at": "2016-03-01T12:00:00+00:00", "source": "import"}] * 5,
              "links": {"pages": 3}, "tracking_id": "G-ABC12345", "cluster": "eu1"}
    scrubbed = json.loads(scrubbed_json(answer, Redactor(["G-ABC12345"])))
    settings = scrubbed["settings"]
    assert settings["cookie_law"] == {"mode": "confirm", "manage_cookies": True, "message": {"nl": "***", "en": ""}}
    assert settings["google_search_console"] == {"meta_tags": "***"}
    first, *rest = scrubbed["newsletter_subscriptions"]
    assert first == {"id": 7, "email": "***", "firstname": "***", "created_at": "***", "source": "import"}
    assert len(rest) == 3 and rest[-1] == "*** 2 more"  # three items show the shape; the rest is counted
    assert scrubbed["links"] == {"pages": 3} and scrubbed["tracking_id"] == "***" and scrubbed["cluster"] == "eu1"
    assert scrub_data("anna", "firstname") == "***" and scrub_data("anna", "status") == "anna"
