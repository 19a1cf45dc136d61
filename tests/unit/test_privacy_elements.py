"""The privacy policy element detector: per element and language, explainable, and consistent with the
shipped templates (each template section is recognised as the element it is for)."""

from __future__ import annotations

import pytest

from flows.content.html_text import page_text
from flows.content.privacy_elements import (
    detect_elements,
    element_table,
    find_element,
    fold,
    missing_elements,
    resolve_elements,

)
from flows.content.templates import load_template, template_variables
from tests.unit.content_support import CONFIG, POLICY_TEMPLATE, STOREFRONT, VARS

BASIC = ["personal_data", "purposes", "usage", "cookie_withdrawal", "up_to_date"]
GDPR_EXTRA = ["controller", "legal_basis", "recipients", "retention", "rights", "complaint"]

# One sentence per element, worded differently from the shipped templates, that must be recognised.
PRESENT = {
    "en": {
        "personal_data": "We process the following data: your full name, phone number and billing address.",
        "purposes": "The purpose of collecting this information is to ship what you bought.",
        "usage": "Your details are used only to deliver your parcel.",
        "cookie_withdrawal": "Changed your mind about cookies? Click No in the bar on this page to revoke consent.",
        "up_to_date": "Last revised: 14/02/2024.",
        "controller": "The controller is Shop Ltd; contact us at help@shop.test.",
        "legal_basis": "We rely on our legitimate interest to prevent fraud.",
        "recipients": "We pass your address on to our courier.",
        "retention": "We retain invoices for seven years.",
        "rights": "You have the right to erasure of your data.",
        "complaint": "You may complain to the Information Commissioner's Office (ICO).",
    },
    "nl": {
        "personal_data": "Wij verwerken de volgende persoonsgegevens: voor- en achternaam, adres en telefoonnummer.",
        "purposes": "Het doel van het verzamelen van deze gegevens is het bezorgen van je bestelling.",
        "usage": "Wij gebruiken deze gegevens alleen om je pakket te bezorgen.",
        "cookie_withdrawal": "Wil je geen cookies meer? Klik op \u201cNee\u201d in de cookiebalk om je toestemming "
                             "te herroepen.",
        "up_to_date": "Versie van 3 februari 2024.",
        "controller": "Fiets B.V. is verwerkingsverantwoordelijke; mail naar info@fiets.test.",
        "legal_basis": "De grondslag is de uitvoering van de koopovereenkomst.",
        "recipients": "Je adres wordt doorgegeven aan de pakketdienst.",
        "retention": "De bewaartermijn van facturen is zeven jaar.",
        "rights": "Je hebt recht op inzage in je gegevens.",
        "complaint": "Je kunt een klacht indienen bij de Autoriteit Persoonsgegevens.",
    },
}
# Sentences that only look related and must NOT count as the element.
ABSENT = {
    "en": {
        "personal_data": "We respect your privacy and your name is safe with us.",  # no collection, one kind
        "usage": "We use cookies to remember your shopping cart.",
        "cookie_withdrawal": "We use cookies. You can withdraw from a purchase within 14 days.",
        "up_to_date": "This policy is updated regularly.",
        "complaint": "If you have a complaint about a product, contact us.",
    },
    "nl": {
        "personal_data": "Wij respecteren je privacy.",
        "usage": "We gebruiken cookies om je winkelwagen te onthouden.",
        "cookie_withdrawal": "We gebruiken cookies. Een bestelling kun je binnen 14 dagen herroepen.",
        "up_to_date": "Dit beleid wordt regelmatig bijgewerkt.",
        "complaint": "Heb je een klacht over een product? Neem contact op.",
    },
}


def present(text: str, language: str, element_id: str) -> bool:
    return find_element(element_table().elements[element_id], text, language).present


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("element_id", BASIC + GDPR_EXTRA)
def test_each_element_is_recognised(language: str, element_id: str) -> None:
    assert present(PRESENT[language][element_id], language, element_id)


# Common phrasings of real policies (on top of the one-liners above).
ALSO_PRESENT = [
    ("nl", "rights", "Je hebt het recht om je persoonsgegevens in te zien, te corrigeren of te verwijderen."),
    ("nl", "rights", "Gegevens inzien, aanpassen of verwijderen: stuur ons een e-mail."),
    ("en", "rights", "You can ask us to see, correct or delete the personal data we hold about you."),
    ("nl", "purposes", "Met welk doel en op basis van welke grondslag wij persoonsgegevens verwerken"),
    ("nl", "recipients", "Wij delen je gegevens alleen met derden als dat nodig is voor de bezorging."),
    ("en", "personal_data", "Personal data we process: first and last name, email address, IP address."),
]


@pytest.mark.parametrize(("language", "element_id", "text"), ALSO_PRESENT)
def test_common_phrasings_are_recognised(language: str, element_id: str, text: str) -> None:
    assert present(text, language, element_id)


@pytest.mark.parametrize(("language", "element_id"),
                         [(language, element_id) for language, items in ABSENT.items() for element_id in items])
def test_look_alikes_do_not_count(language: str, element_id: str) -> None:
    assert not present(ABSENT[language][element_id], language, element_id)


def test_the_default_short_policies_miss_everything() -> None:
    assert [e.id for e in missing_elements("We respect your privacy.", "en")] == BASIC
    assert [e.id for e in missing_elements("Wij respecteren je privacy.", "nl", "gdpr")] == BASIC + GDPR_EXTRA


def test_profiles_and_extra_elements() -> None:
    assert element_table().profiles["gdpr"] == tuple(BASIC + GDPR_EXTRA)
    assert [e.id for e in resolve_elements("basic", ["retention"])] == [*BASIC, "retention"]
    with pytest.raises(ValueError, match="unknown profile 'strict'"):
        resolve_elements("strict")
    with pytest.raises(ValueError, match="unknown element 'dpo'"):
        resolve_elements("basic", ["dpo"])


def test_every_element_has_patterns_and_descriptions_in_both_languages() -> None:
    for element in element_table().elements.values():
        assert set(element.groups) >= {"en", "nl"} and set(element.descriptions) >= {"en", "nl"}, element.id


def test_groups_must_match_in_the_same_section() -> None:
    apart = "## Cookies\nWe use analytics cookies.\n## Newsletter\nYou can withdraw your subscription at any time."
    together = "## Cookies\nWe use analytics cookies. You can withdraw your consent at any time."
    assert not present(apart, "en", "cookie_withdrawal")
    assert present(together, "en", "cookie_withdrawal")
    flat = "We use analytics cookies.\nYou can withdraw your consent at any time."  # no headings: one section
    assert present(flat, "en", "cookie_withdrawal")


def test_findings_explain_where_and_why() -> None:
    text = "## Your cookie choices\nClick \u201cNo\u201d in the cookie bar to withdraw consent."
    found = find_element(element_table().elements["cookie_withdrawal"], text, "en")
    assert (found.present, found.section) == (True, "## Your cookie choices")
    assert found.matched == ("cookie", "withdraw consent")
    missing = find_element(element_table().elements["retention"], text, "en")
    assert not missing.present and "how long" in missing.matched[0]


def test_matching_ignores_case_accents_and_curly_quotes() -> None:
    assert fold("Klik op \u201cNEE\u201d \u2013 Caf\u00e9") == 'klik op "nee" \u2013 cafe'



@pytest.mark.parametrize("language", ["en", "nl"])
def test_each_template_section_is_recognised_as_its_element(language: str) -> None:
    template = load_template(POLICY_TEMPLATE, CONFIG, language, "shop")
    variables = template_variables(STOREFRONT, VARS[language])
    assert set(template.sections) == set(BASIC + GDPR_EXTRA)
    for element_id in template.sections:
        text = page_text(template.render_sections([element_id], variables))
        assert present(text, language, element_id), (language, element_id)
    full = page_text(template.render(variables))
    assert all(finding.present for finding in detect_elements(full, language, "gdpr"))
