"""The text pages every store starts with, per locale; the slugs are fixed, like system pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultPage:
    slug: str
    title: str
    content: str
    visible: bool = True


# Every store starts with these text pages. The privacy policy is deliberately incomplete: making it
# complete is one of the tool's jobs.
DEFAULT_PAGES: dict[str, tuple[DefaultPage, ...]] = {
    "en": (
        DefaultPage("about", "About us", "<p>We are a small family business.</p>"),
        DefaultPage("privacy-policy", "Privacy policy", "<p>We respect your privacy.</p>"),
        DefaultPage(
            "general-terms-conditions",
            "Terms and conditions",
            "<p>These terms apply to every order placed in our shop.</p>",
        ),
        DefaultPage(
            "shipping-returns",
            "Shipping & returns",
            "<p>Orders ship within two working days. You may return items within 14 days.</p>",
        ),
        DefaultPage("contact", "Contact", "<p>Questions? Email us and we will answer within a day.</p>"),
    ),
    "nl": (
        DefaultPage("about", "Over ons", "<p>Wij zijn een klein familiebedrijf.</p>"),
        DefaultPage("privacy-policy", "Privacybeleid", "<p>Wij respecteren je privacy.</p>"),
        DefaultPage(
            "general-terms-conditions",
            "Algemene voorwaarden",
            "<p>Deze voorwaarden gelden voor elke bestelling in onze winkel.</p>",
        ),
        DefaultPage(
            "shipping-returns",
            "Verzenden & retourneren",
            "<p>Bestellingen worden binnen twee werkdagen verzonden. Retourneren kan binnen 14 dagen.</p>",
        ),
        DefaultPage("contact", "Contact", "<p>Vragen? Mail ons en we antwoorden binnen een dag.</p>"),
    ),
    "de": (
        DefaultPage("about", "Über uns", "<p>Wir sind ein kleines Familienunternehmen.</p>"),
        DefaultPage("privacy-policy", "Datenschutzerklärung", "<p>Wir respektieren Ihre Privatsphäre.</p>"),
        DefaultPage(
            "general-terms-conditions",
            "Allgemeine Geschäftsbedingungen",
            "<p>Diese Bedingungen gelten für jede Bestellung in unserem Shop.</p>",
        ),
        DefaultPage(
            "shipping-returns",
            "Versand & Rücksendung",
            "<p>Bestellungen werden innerhalb von zwei Werktagen versandt. Rücksendungen sind innerhalb von "
            "14 Tagen möglich.</p>",
        ),
        DefaultPage("contact", "Kontakt", "<p>Fragen? Schreiben Sie uns, wir antworten innerhalb eines Tages.</p>"),
    ),
    "fr": (
        DefaultPage("about", "À propos", "<p>Nous sommes une petite entreprise familiale.</p>"),
        DefaultPage("privacy-policy", "Politique de confidentialité", "<p>Nous respectons votre vie privée.</p>"),
        DefaultPage(
            "general-terms-conditions",
            "Conditions générales",
            "<p>Ces conditions s'appliquent à toute commande passée dans notre boutique.</p>",
        ),
        DefaultPage(
            "shipping-returns",
            "Livraison & retours",
            "<p>Les commandes sont expédiées sous deux jours ouvrés. Les retours sont possibles sous 14 jours.</p>",
        ),
        DefaultPage("contact", "Contact", "<p>Des questions ? Écrivez-nous, nous répondons sous un jour.</p>"),
    ),
}
