"""The privacy policy element detector: per element and language, each family of wording and each
look-alike that must not count; passages and sentences as the unit of co-occurrence; explainable
findings; consistent with the shipped templates. The accuracy floor on the labelled corpus: tests/corpus."""

from __future__ import annotations

import pytest

from flows.content.html_text import page_text
from flows.content.policy_text import passages, split_sentences
from flows.content.privacy_elements import (
    _parse_table,
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


def present(text: str, language: str, element_id: str) -> bool:
    return find_element(element_table().elements[element_id], text, language).present


# Per element and language, the families of wording real policies use (the issue's phrasings among them).
# Each text must be recognised as the element; headings are written as page_text() writes them.
FAMILIES = [
    # personal_data: a collection verb, the name and another kind of data, in one paragraph or list
    ("en", "personal_data", "We process the following data: your full name, phone number and billing address."),
    ("en", "personal_data", "## Which data\nName, address, email, phone number and order history."),
    ("en", "personal_data", "We may collect this information:\n- your name;\n- your email address."),
    ("nl", "personal_data", "Wij verwerken deze persoonsgegevens: voor- en achternaam, adres en telefoonnummer."),
    ("nl", "personal_data", "Bij een reservering noteren wij je naam, geboortedatum en e-mailadres."),
    # purposes: why, in a sentence or under a purposes heading
    ("en", "purposes", "The purpose of collecting this information is to ship what you bought."),
    ("en", "purposes", "Your data is processed to dispense and deliver your order."),
    ("en", "purposes", "## Purposes\nDelivering your order, handling returns and preventing fraud."),
    ("nl", "purposes", "We hebben deze gegevens nodig om je bestelling te bezorgen."),
    ("nl", "purposes", "## 3. Doeleinden\n- Het leveren van je bestelling."),
    # usage: "we (may) use", "<Company> uses", "will be used to", "is used for"
    ("en", "usage", "We may use your email address to send you our newsletter."),
    ("en", "usage", "Pine & Pepper uses the information we collect to process transactions."),
    ("en", "usage", "Your information will be used to deliver your parcel."),
    ("en", "usage", "The address you give us is used for delivery only."),
    ("en", "usage", "Copperfield will use the details you give us to handle your order."),
    ("en", "usage", "I use it to deliver your flowers."),
    ("nl", "usage", "Je gegevens gebruiken we om je bestelling te versturen."),
    ("nl", "usage", "Moka gebruikt de gegevens om de bestelling uit te voeren."),
    ("nl", "usage", "Het rijbewijsnummer wordt alleen gebruikt om te controleren of je mag rijden."),
    ("nl", "usage", "Voor je bestelling verwerken wij: naam, afleveradres en e-mailadres."),
    # cookie_withdrawal: withdraw consent, change the choice, the browser, refuse or disable cookies
    ("en", "cookie_withdrawal", "Changed your mind about cookies? Click No in the bar on this page to revoke consent."),
    ("en", "cookie_withdrawal", "You can set your browser to refuse cookies."),
    ("en", "cookie_withdrawal", "Our shop uses cookies. If you prefer, you can disable cookies in your browser."),
    ("en", "cookie_withdrawal", "## Cookies\nYou can change your preferences at any time via the link in the footer."),
    ("nl", "cookie_withdrawal", "Wil je geen cookies meer? Klik op \u201cNee\u201d in de cookiebalk om je toestemming "
                                "te herroepen."),
    ("nl", "cookie_withdrawal", "Je kunt cookies uitschakelen via de instellingen van je browser."),
    ("nl", "cookie_withdrawal", "Weiger dan de analytische cookies in de cookiemelding, of zet ze uit in je browser."),
    ("nl", "cookie_withdrawal", "Via de knop onderaan kun je je cookievoorkeuren op elk moment aanpassen."),
    ("nl", "cookie_withdrawal", "Je kunt je akkoord voor cookies altijd intrekken via de cookie-instellingen."),
    # up_to_date: dated lines in every form, and a bare date under the title
    ("en", "up_to_date", "Last revised: 14/02/2024."),
    ("en", "up_to_date", "# Privacy Notice\nEffective: January 5, 2023\nThank you for shopping with us."),
    ("en", "up_to_date", "This policy was revised 1 October 2024."),
    ("en", "up_to_date", "# Privacy Policy\n(updated 18 June 2024)"),
    ("en", "up_to_date", "Published: 1 December 2023"),
    ("en", "up_to_date", "Posted: April 2, 2024"),
    ("en", "up_to_date", "# Privacy policy\n14 November 2024\nThis is the privacy policy of a bookshop."),
    ("en", "up_to_date", "Version 3.1, published 2 February 2025"),
    ("nl", "up_to_date", "Versie van 3 februari 2024."),
    ("nl", "up_to_date", "Laatste wijziging: 17 oktober 2023"),
    ("nl", "up_to_date", "# Privacy\nStand: 05-02-2024"),
    ("nl", "up_to_date", "Versie 4 \u2014 3 maart 2025"),
    ("nl", "up_to_date", "Deze versie is van 1 oktober 2024."),
    ("en", "up_to_date", "Date of last revision: 22 July 2024"),
    # controller: named, a contact block, an organisation with its address, or a street address
    ("en", "controller", "The controller is Shop Ltd; contact us at help@shop.test."),
    ("en", "controller", "## Contact\nQuestions? Write to our Privacy Administrator at privacy@pine.example."),
    ("en", "controller", "If you have any questions about this policy, please contact us at support@harbor.example."),
    ("en", "controller", "Redline Cycles, 88 Kingsway, Manchester M19 2LL."),
    ("nl", "controller", "Fiets B.V. is verwerkingsverantwoordelijke; mail naar info@fiets.test."),
    ("nl", "controller", "## Onze gegevens\nBloemenatelier Roos, Kerkplein 4, 9711 AB Groningen."),
    ("nl", "controller", "Je kunt ons bellen op 0223-612345 of een e-mail sturen naar verhuur@zeewind.example."),
    # legal_basis
    ("en", "legal_basis", "We rely on our legitimate interest to prevent fraud."),
    ("en", "legal_basis", "Invoices: legal obligation (Art. 6(1)(c) GDPR)."),
    ("nl", "legal_basis", "De grondslag is de uitvoering van de koopovereenkomst."),
    ("nl", "legal_basis", "De verwerking berust op de overeenkomst met jou en op je toestemming."),
    # recipients
    ("en", "recipients", "We pass your address on to our courier."),
    ("en", "recipients", "For delivery we hand your name and address over to a freight forwarder."),
    ("en", "recipients", "Couriers (Yodel and DPD) get your name, address and phone number."),
    ("en", "recipients", "Your details are also passed to DPD, who deliver our parcels."),
    ("nl", "recipients", "Je adres wordt doorgegeven aan de pakketdienst."),
    ("nl", "recipients", "Bij schade geven we je gegevens door aan onze verzekeraar."),
    # retention: periods, criteria and deletion verbs
    ("en", "retention", "We retain invoices for seven years."),
    ("en", "retention", "Log files are deleted after 90 days."),
    ("en", "retention", "Server logs are purged after one year."),
    ("en", "retention", "Inactive accounts are removed after 6 months."),
    ("en", "retention", "## How long do we keep it?\nOrder data: 7 years."),
    ("nl", "retention", "De bewaartermijn van facturen is zeven jaar."),
    ("nl", "retention", "Logbestanden worden na 90 dagen verwijderd."),
    ("nl", "retention", "Gegevens van klanten die 3 jaar niets bestelden, worden geanonimiseerd."),
    # rights: named rights and what the person can do
    ("en", "rights", "You have the right to erasure of your data."),
    ("en", "rights", "You may review, correct or update your account information at any time."),
    ("en", "rights", "You can request that your account be deleted by emailing us."),
    ("en", "rights", "Log in to change your details."),
    ("en", "rights", "You can ask us to see, correct or delete the personal data we hold about you."),
    ("nl", "rights", "Je hebt recht op inzage in je gegevens."),
    ("nl", "rights", "Je hebt het recht om je persoonsgegevens in te zien, te corrigeren of te verwijderen."),
    ("nl", "rights", "Via Mijn account kun je je gegevens altijd bekijken en aanpassen."),
    # complaint
    ("en", "complaint", "You may complain to the Information Commissioner's Office (ICO)."),
    ("en", "complaint", "You have the right to lodge a complaint with a supervisory authority."),
    ("nl", "complaint", "Je kunt een klacht indienen bij de Autoriteit Persoonsgegevens."),
    ("nl", "complaint", "## Klachten\nJe kunt je wenden tot de Autoriteit Persoonsgegevens."),
]

# Look-alikes that must NOT count: boilerplate, the company's own rights, other subjects, other places.
COUNTER_EXAMPLES = [
    ("en", "personal_data", "We respect your privacy and your name is safe with us."),
    ("en", "usage", "We use cookies to remember your shopping cart."),
    ("en", "usage", "We process personal data."),
    ("en", "purposes", "By using this website you agree to our use of cookies and to the collection of information."),
    ("en", "purposes", "We use industry-standard SSL encryption to keep your data secure."),
    ("en", "purposes", "We reserve the right to disclose your information if required by law, and to change this."),
    ("nl", "purposes", "Wij nemen passende technische maatregelen om uw gegevens te beveiligen."),
    ("en", "cookie_withdrawal", "We use cookies. You can withdraw from a purchase within 14 days."),
    ("en", "cookie_withdrawal", "## Cookies and marketing\nWe use cookies. You can opt out of marketing e-mails at "
                                "any time."),
    ("en", "cookie_withdrawal", "We don't use tracking cookies, so there is nothing to opt out of."),
    ("en", "cookie_withdrawal", "Essential cookies cannot be switched off."),
    ("en", "up_to_date", "This policy is updated regularly."),
    ("en", "up_to_date", "The GDPR has been in force since 25 May 2018."),
    ("en", "controller", "Contact our customer service through the contact form."),
    ("en", "legal_basis", "We comply with our legal obligations and applicable regulatory requirements."),
    ("en", "legal_basis", "We may release your information when we believe it is appropriate to comply with the law."),
    ("en", "recipients", "We do not share your personal data with third parties."),
    ("en", "retention", "We collect, retain and use your information in accordance with this policy."),
    ("en", "retention", "We keep your information up to date and accurate."),
    ("en", "retention", "Your data may be stored for the purposes described in this policy."),
    ("en", "retention", "## Contents\n- Information we collect\n- Retention\n- Your choices"),
    ("en", "retention", "You can return any product within 14 days of delivery."),
    ("en", "rights", "We reserve the right to change this notice at any time."),
    ("en", "rights", "We reserve the right to delete accounts that break our rules."),
    ("en", "rights", "This does not affect your statutory rights."),
    ("en", "rights", "You can change your cookie preferences in the footer."),
    ("en", "complaint", "If you have a complaint about a product, contact us."),
    ("en", "complaint", "We are registered with the Information Commissioner's Office, ICO Registration No. "
                        "Z9876543."),
    ("en", "complaint", "Greystone is regulated by the Financial Conduct Authority. Complaints about an order: "
                        "email us."),
    ("nl", "personal_data", "Wij respecteren je privacy."),
    ("nl", "usage", "We gebruiken cookies om je winkelwagen te onthouden."),
    ("nl", "usage", "Wij verwerken je naam, adres en e-mailadres als je bestelt."),
    ("nl", "cookie_withdrawal", "## Cookies\nWij gebruiken cookies. Je toestemming voor de nieuwsbrief kun je altijd "
                                "intrekken."),
    ("nl", "usage", "Wij verwerken alleen gegevens om te voldoen aan onze wettelijke verplichtingen."),
    ("nl", "cookie_withdrawal", "We gebruiken cookies. Een bestelling kun je binnen 14 dagen herroepen."),
    ("nl", "cookie_withdrawal", "Afmelden voor de nieuwsbrief kan via de link. Ook gebruiken we cookies voor "
                                "statistieken."),
    ("nl", "cookie_withdrawal", "Cookies: we gebruiken alleen functionele cookies, die kun je niet uitzetten."),
    ("nl", "cookie_withdrawal", "We gebruiken cookies voor statistieken. Die cookies verwijderen we automatisch na "
                                "13 maanden."),
    ("nl", "up_to_date", "Dit beleid wordt regelmatig bijgewerkt."),
    ("nl", "up_to_date", "De AVG is sinds 25 mei 2018 van kracht."),
    ("nl", "legal_basis", "Wij houden ons aan alle wettelijke verplichtingen."),
    ("nl", "recipients", "Wij verkopen je gegevens nooit aan derden."),
    ("nl", "recipients", "Wij delen je gegevens niet met derden."),
    ("nl", "retention", "## Bewaartermijn\nBewaartermijn"),
    ("nl", "retention", "Wij bewaren je gegevens veilig en houden je gegevens actueel."),
    ("nl", "rights", "Wij behouden ons het recht voor deze privacyverklaring te wijzigen."),
    ("nl", "rights", "Alle rechten voorbehouden."),
    ("nl", "complaint", "Heb je een klacht over een product? Neem contact op met de Geschillencommissie."),
]


# German (Germany, Austria, Switzerland) and French (France, Belgium, Switzerland): the same families.
FAMILIES += [
    ("de", "personal_data", "Wenn Sie bestellen, erheben wir folgende Daten:\n- Vor- und Nachname\n- E-Mail-Adresse"),
    ("de", "personal_data", "Wir bearbeiten insbesondere Name, Adresse und Telefonnummer."),
    ("de", "purposes", "Diese Angaben benötigen wir, um Ihnen die Ware zuzusenden."),
    ("de", "purposes", "## Wozu wir Daten verarbeiten\nBestellabwicklung, Versand und Kundenservice."),
    ("de", "usage", "Wir verwenden Ihre Daten, um Ihre Bestellung abzuwickeln."),
    ("de", "usage", "Ihre E-Mail-Adresse wird ausschließlich für den Versand der Rechnung verwendet."),
    ("de", "usage", "Die Daten dienen der Abwicklung des Kaufvertrags."),
    ("de", "usage", "Deine Daten nutzen wir nur für deine Bestellung."),
    ("de", "usage", "Wir fragen Name, Adresse und E-Mail ab. Damit verschicken wir dein Paket."),
    ("de", "purposes", "Wir fragen Name, Adresse und E-Mail ab. Damit packen und verschicken wir dein Paket."),
    ("de", "cookie_withdrawal", "Ihre Einwilligung in Cookies können Sie jederzeit über den Link im Footer "
                                "widerrufen."),
    ("de", "cookie_withdrawal", "Sie können Cookies in den Einstellungen Ihres Browsers blockieren oder löschen."),
    ("de", "cookie_withdrawal", "Klicken Sie im Cookie-Banner auf \"Ablehnen\", um Analyse-Cookies zu verhindern."),
    ("de", "up_to_date", "Stand: 12. Februar 2025"),
    ("de", "up_to_date", "Zuletzt aktualisiert am 15. März 2025."),
    ("de", "up_to_date", "# Datenschutz\nLetzte Änderung: Jänner 2025"),
    ("de", "up_to_date", "Version 2.1 vom 3. März 2024"),
    ("de", "controller", "Verantwortlicher ist die Radhaus Müller GmbH, Hauptstraße 12, 10115 Berlin."),
    ("de", "controller", "## Kontakt\nSchreiben Sie uns an datenschutz@radhaus.example."),
    ("de", "controller", "Velowerk AG, Bahnhofstrasse 21, 8001 Zürich"),
    ("de", "legal_basis", "Rechtsgrundlage ist Art. 6 Abs. 1 lit. b DSGVO."),
    ("de", "legal_basis", "Die Verarbeitung beruht auf Ihrer Einwilligung."),
    ("de", "legal_basis", "Wir haben ein berechtigtes Interesse an einem sicheren Shop."),
    ("de", "recipients", "Zur Lieferung geben wir Ihren Namen und Ihre Anschrift an DHL weiter."),
    ("de", "recipients", "Ihre Angaben leiten wir nicht an Dritte weiter, außer an die Post für den Versand."),
    ("de", "recipients", "Unser Hoster ist als Auftragsverarbeiter in unserem Auftrag tätig."),
    ("de", "retention", "Rechnungen bewahren wir zehn Jahre auf."),
    ("de", "retention", "Server-Logfiles werden nach 14 Tagen gelöscht."),
    ("de", "retention", "Die Daten werden gelöscht, sobald sie für den Zweck nicht mehr erforderlich sind."),
    ("de", "rights", "Sie haben das Recht auf Auskunft, Berichtigung und Löschung."),
    ("de", "rights", "Sie haben jederzeit das Recht auf unentgeltliche Auskunft über Ihre Daten."),
    ("de", "rights", "Unter \"Mein Konto\" können Sie Ihre Daten einsehen und ändern."),
    ("de", "rights", "Du kannst deine gespeicherten Daten jederzeit löschen lassen."),
    ("de", "complaint", "Sie können sich bei einer Datenschutz-Aufsichtsbehörde beschweren."),
    ("de", "complaint", "Beschwerden können Sie bei der Datenschutzbehörde (www.dsb.gv.at) einbringen."),
    ("de", "complaint", "Sie können sich an den Eidgenössischen Datenschutz- und Öffentlichkeitsbeauftragten "
                        "(EDÖB) wenden."),
    ("fr", "personal_data", "Nous collectons vos nom, prénom, adresse e-mail et numéro de téléphone."),
    ("fr", "personal_data", "## Quelles données ?\nNom, prénom, adresse de livraison et historique d'achats."),
    ("fr", "purposes", "Nous avons besoin de votre adresse pour vous livrer."),
    ("fr", "purposes", "## Finalités\nLivraison, facturation et service après-vente."),
    ("fr", "usage", "Nous utilisons vos données pour traiter vos commandes."),
    ("fr", "usage", "Nous n'utilisons vos données que pour votre commande."),
    ("fr", "usage", "Vos coordonnées sont utilisées pour expédier votre colis."),
    ("fr", "usage", "Vos données nous permettent de traiter vos commandes."),
    ("fr", "purposes", "Ces informations nous servent uniquement à expédier votre commande."),
    ("fr", "cookie_withdrawal", "Vous pouvez revenir sur votre choix via « Préférences cookies » en bas de page."),
    ("fr", "cookie_withdrawal", "Vous pouvez retirer votre consentement aux cookies à tout moment."),
    ("fr", "cookie_withdrawal", "Vous pouvez paramétrer votre navigateur pour refuser les cookies."),
    ("fr", "cookie_withdrawal", "Pour refuser ces cookies, cliquez sur « Tout refuser » dans le bandeau."),
    ("fr", "up_to_date", "Dernière mise à jour : 4 février 2025"),
    ("fr", "up_to_date", "Date d'entrée en vigueur : 1er mars 2024"),
    ("fr", "up_to_date", "Date de mise à jour : 10/06/2024"),
    ("fr", "up_to_date", "# Vie privée\nVersion du 15 septembre 2024"),
    ("fr", "controller", "Le responsable du traitement est Maison Lavande SARL, 18 rue des Teinturiers, "
                         "84000 Avignon."),
    ("fr", "controller", "## Contact\nÉcrivez-nous à vie-privee@lavande.example."),
    ("fr", "controller", "Librairie SPRL, Rue de la Station 42, 5000 Namur"),
    ("fr", "legal_basis", "Le traitement repose sur l'exécution du contrat."),
    ("fr", "legal_basis", "Base légale : votre consentement."),
    ("fr", "legal_basis", "Nous avons un intérêt légitime à prévenir la fraude."),
    ("fr", "recipients", "Vos données sont transmises à Colissimo pour la livraison."),
    ("fr", "recipients", "Nous ne communiquons vos données qu'à notre transporteur."),
    ("fr", "recipients", "Nous faisons appel à Mollie pour les paiements."),
    ("fr", "retention", "Nous conservons les factures pendant dix ans."),
    ("fr", "retention", "Les comptes inactifs sont effacés après 3 ans."),
    ("fr", "retention", "Vos données sont conservées aussi longtemps que nécessaire."),
    ("fr", "rights", "Vous disposez d'un droit d'accès et de rectification."),
    ("fr", "rights", "Dans votre espace client, vous pouvez modifier vos informations."),
    ("fr", "rights", "Vous pouvez demander une copie de vos données ou leur suppression."),
    ("fr", "complaint", "Vous pouvez introduire une réclamation auprès de la CNIL."),
    ("fr", "complaint", "Vous pouvez déposer une plainte auprès de l'Autorité de protection des données."),
    ("fr", "complaint", "Vous pouvez vous adresser au Préposé fédéral à la protection des données et à la "
                        "transparence (PFPDT)."),
]
COUNTER_EXAMPLES += [
    ("de", "personal_data", "Wir nehmen Datenschutz ernst."),
    ("de", "purposes", "Wir verwenden eine SSL-Verschlüsselung, um Ihre Daten zu schützen."),
    ("de", "usage", "Wir verwenden Cookies, um den Warenkorb zu speichern."),
    ("de", "usage", "Wir verarbeiten folgende Daten: Name, Adresse und E-Mail-Adresse."),
    ("de", "cookie_withdrawal", "Wir verwenden Cookies. Vom Newsletter können Sie sich jederzeit abmelden."),
    ("de", "cookie_withdrawal", "Die technisch notwendigen Cookies können nicht deaktiviert werden."),
    ("de", "cookie_withdrawal", "Wir verwenden Cookies. Sie können den Vertrag binnen 14 Tagen widerrufen."),
    ("de", "up_to_date", "Die DSGVO gilt seit dem 25. Mai 2018 in allen EU-Staaten."),
    ("de", "controller", "Fragen? Nutzen Sie unser Kontaktformular."),
    ("de", "controller", "Verantwortlich ist Teehaus Sommer UG. Kontaktdaten finden Sie im Impressum."),
    ("de", "legal_basis", "Wir erfüllen selbstverständlich alle gesetzlichen Verpflichtungen."),
    ("de", "legal_basis", "Wir verarbeiten Ihren Namen zur Erfüllung des Kaufvertrags."),
    ("de", "usage", "Personenbezogene Daten werden nur im Rahmen der gesetzlichen Bestimmungen verarbeitet."),
    ("de", "purposes", "Personenbezogene Daten werden nur im Rahmen der gesetzlichen Bestimmungen verarbeitet."),
    ("de", "usage", "Damit wir liefern können, brauchen wir Ihre Adresse."),
    ("de", "retention", "Cookies werden nach 13 Monaten automatisch gelöscht."),
    ("de", "recipients", "Wir verkaufen Ihre Daten nicht und geben sie nicht an Dritte weiter."),
    ("de", "retention", "Die Widerrufsfrist beträgt 14 Tage ab dem Tag, an dem Sie die Waren erhalten haben."),
    ("de", "retention", "## Inhaltsverzeichnis\n- Speicherdauer\n- Ihre Rechte"),
    ("de", "retention", "Wir bewahren Ihre Daten sicher auf."),
    ("de", "rights", "Wir behalten uns das Recht vor, diese Erklärung jederzeit zu ändern."),
    ("de", "rights", "Sie haben das Recht, binnen 14 Tagen ohne Angabe von Gründen diesen Vertrag zu widerrufen."),
    ("de", "complaint", "Die EU-Kommission stellt eine Plattform zur Online-Streitbeilegung bereit; Beschwerden "
                        "richten Sie an die Verbraucherschlichtungsstelle."),
    ("fr", "personal_data", "Nous respectons votre vie privée."),
    ("fr", "purposes", "Vos données sont protégées par un chiffrement SSL."),
    ("fr", "usage", "Nous traitons les données suivantes : nom, adresse et e-mail."),
    ("fr", "cookie_withdrawal", "Nous utilisons des cookies. Pour ne plus recevoir nos e-mails, cliquez sur le lien "
                                "de désinscription."),
    ("fr", "cookie_withdrawal", "Les cookies strictement nécessaires ne peuvent pas être désactivés."),
    ("fr", "cookie_withdrawal", "En poursuivant votre navigation, vous acceptez les cookies."),
    ("fr", "up_to_date", "Le RGPD est entré en application le 25 mai 2018."),
    ("fr", "controller", "Pour toute question, utilisez notre formulaire de contact."),
    ("fr", "legal_basis", "Nous respectons nos obligations légales en matière de protection des données."),
    ("fr", "recipients", "Nous ne partageons pas vos données avec des tiers et nous ne les vendons pas."),
    ("fr", "retention", "Vous disposez d'un délai de 14 jours à compter de la réception pour vous rétracter."),
    ("fr", "retention", "## Sommaire\n- Durée de conservation\n- Vos droits"),
    ("fr", "retention", "Nous veillons à garder vos données exactes et à jour."),
    ("fr", "retention", "Les cookies sont automatiquement supprimés après 13 mois."),
    ("fr", "rights", "Nous nous réservons le droit de modifier la présente politique à tout moment."),
    ("fr", "rights", "Vous disposez d'un droit de rétractation de 14 jours."),
    ("fr", "complaint", "En cas de litige, vous pouvez recourir à un médiateur de la consommation."),
]


@pytest.mark.parametrize(("language", "element_id", "text"), FAMILIES)
def test_each_family_of_wording_is_recognised(language: str, element_id: str, text: str) -> None:
    finding = find_element(element_table().elements[element_id], text, language)
    assert finding.present, finding.explain()


@pytest.mark.parametrize(("language", "element_id", "text"), COUNTER_EXAMPLES)
def test_counter_examples_do_not_count(language: str, element_id: str, text: str) -> None:
    finding = find_element(element_table().elements[element_id], text, language)
    assert not finding.present, finding.explain()


@pytest.mark.parametrize("language", ["en", "nl", "de", "fr"])
def test_every_element_has_a_family_and_a_counter_example_per_language(language: str) -> None:
    assert {e for lang, e, _ in FAMILIES if lang == language} == set(BASIC + GDPR_EXTRA)
    assert len({e for lang, e, _ in COUNTER_EXAMPLES if lang == language}) >= 9


def test_the_default_short_policies_miss_everything() -> None:
    assert [e.id for e in missing_elements("We respect your privacy.", "en")] == BASIC
    assert [e.id for e in missing_elements("Wij respecteren je privacy.", "nl", "gdpr")] == BASIC + GDPR_EXTRA
    assert [e.id for e in missing_elements("Wir achten Ihre Privatsphäre.", "de", "gdpr")] == BASIC + GDPR_EXTRA
    assert [e.id for e in missing_elements("Nous respectons votre vie privée.", "fr", "gdpr")] == BASIC + GDPR_EXTRA


def test_profiles_and_extra_elements() -> None:
    assert element_table().profiles["gdpr"] == tuple(BASIC + GDPR_EXTRA)
    assert [e.id for e in resolve_elements("basic", ["retention"])] == [*BASIC, "retention"]
    with pytest.raises(ValueError, match="unknown profile 'strict'"):
        resolve_elements("strict")
    with pytest.raises(ValueError, match="unknown element 'dpo'"):
        resolve_elements("basic", ["dpo"])


def test_every_element_has_wording_and_descriptions_in_every_language() -> None:
    for element in element_table().elements.values():
        assert set(element.wordings) >= {"en", "nl", "de", "fr"}, element.id
        assert set(element.descriptions) >= {"en", "nl", "de", "fr"}, element.id
        assert all(wording.families for wording in element.wordings.values()), element.id


def test_a_bad_table_is_refused_naming_the_place() -> None:
    raw = {"profiles": {"basic": ["x"]}, "macros": {},
           "elements": {"x": {"description": {"en": "x"}, "languages": {"en": {"families": {
               "f": {"all": [["(unclosed"]]}}}}}}}
    with pytest.raises(ValueError, match=r"x\.en\.f\[0\]: invalid pattern"):
        _parse_table(raw)
    raw["elements"]["x"]["languages"]["en"]["families"]["f"] = {"all": [["<<nope>>"]]}
    with pytest.raises(ValueError, match="unknown macro <<nope>>"):
        _parse_table(raw)
    raw["elements"]["x"]["languages"]["en"]["families"]["f"] = {"all": [["a"]], "within": "page"}
    with pytest.raises(ValueError, match="within must be sentence or passage"):
        _parse_table(raw)


# --- where co-occurrence counts ---------------------------------------------------------------------------
def test_groups_must_match_in_the_same_paragraph_not_the_same_section() -> None:
    apart = "## Cookies\nWe use analytics cookies.\n## Newsletter\nYou can withdraw your subscription at any time."
    two_paragraphs = "## Privacy\nWe place analytics cookies.\nYou can opt out at any time."
    together = "## Cookies\nWe use analytics cookies. You can withdraw your consent at any time."
    assert not present(apart, "en", "cookie_withdrawal")
    assert not present(two_paragraphs, "en", "cookie_withdrawal")
    assert present(together, "en", "cookie_withdrawal")  # "withdraw ... consent" read with its heading


def test_a_pattern_never_runs_across_a_full_stop() -> None:
    # "keep ... for" would match across the boundary; the sentence with "keep" has no period in it
    assert not present("We keep your data safe. For 14 days you can return products.", "en", "retention")
    assert present("We keep your data for 14 days.", "en", "retention")


def test_a_list_is_read_with_its_lead_in_and_heading() -> None:
    text = "## Who receives your data\nWe share your data with:\n- our courier\n- our payment provider"
    finding = find_element(element_table().elements["recipients"], text, "en")
    assert finding.present and finding.section == "Who receives your data"


def test_a_table_row_is_read_with_the_header_row() -> None:
    html = ("<h2>What we keep</h2><table><tr><th>Data</th><th>Legal basis</th><th>How long</th></tr>"
            "<tr><td>Name, address</td><td>Contract</td><td>6 years after the order</td></tr></table>")
    text = page_text(html)
    assert "| Data | Legal basis | How long" in text.splitlines()
    assert present(text, "en", "retention") and present(text, "en", "legal_basis")


def test_sentences_split_at_full_stops_but_not_after_abbreviations() -> None:
    rules = element_table().cutting  # the abbreviations are in the table, like every other word list
    assert split_sentences("We keep it, e.g. invoices. Art. 6 applies. Shop B.V. is the controller.", rules) == [
        "We keep it, e.g. invoices.", "Art. 6 applies.", "Shop B.V. is the controller."]
    assert split_sentences("Questions? Email info@shop.example. Thanks!", rules) == [
        "Questions?", "Email info@shop.example.", "Thanks!"]
    assert split_sentences("Zie o.a. art. 6 AVG. Dat is alles.", rules) == ["Zie o.a. art. 6 AVG.", "Dat is alles."]


def test_passages_are_paragraphs_and_lists_under_their_heading() -> None:
    cut = passages("intro\n# A\nOne. Two\nlead:\n- x\n- y\n# B\n# C\nthree")
    assert [(p.heading.text if p.heading else None, [s.text for s in p.body]) for p in cut] == [
        (None, ["intro"]), ("A", ["One.", "Two"]), ("A", ["lead:"]), ("A", ["lead:", "x", "y"]), ("B", []),
        ("C", ["three"])]
    assert cut[3].lead is not None and cut[3].lead.text == "lead:"
    contents = passages("## Inhoud\n- Bewaartermijn\n## Bewaartermijn\nZeven jaar.", element_table().cutting)
    assert [p.is_contents for p in contents] == [True, False]


# --- explanations -----------------------------------------------------------------------------------------
def test_findings_carry_the_sentence_that_satisfied_them() -> None:
    text = "## Your cookie choices\nWe use cookies. Click \u201cNo\u201d in the cookie bar to withdraw consent."
    found = find_element(element_table().elements["cookie_withdrawal"], text, "en")
    assert (found.present, found.section, found.family) == (True, "Your cookie choices", "control")
    assert found.evidence == "Your cookie choices ... Click \u201cNo\u201d in the cookie bar to withdraw consent."
    assert found.explain().startswith("cookie_withdrawal: present (under 'Your cookie choices'): ")
    assert found.as_dict()["evidence"] == found.evidence


def test_a_missing_element_shows_the_closest_miss_and_what_it_lacked() -> None:
    text = "## Storage\nWe store your data securely on servers in the EU."
    missing = find_element(element_table().elements["retention"], text, "en")
    assert not missing.present and missing.family == "kept_for"
    assert missing.evidence is not None and "We store your data securely" in missing.evidence
    assert missing.lacking == ("kept_for #2: <<period_en>>",)
    assert "MISSING: closest (under 'Storage')" in missing.explain() and "<<period_en>>" in missing.explain()
    nothing = find_element(element_table().elements["complaint"], "Hello.", "en")
    assert nothing.explain() == "complaint: MISSING: nothing close"


def test_matching_ignores_case_accents_curly_quotes_and_dashes() -> None:
    assert fold("Klik op \u201cNEE\u201d \u2013 Caf\u00e9") == 'klik op "nee" - cafe'
    assert fold("Hauptstra\u00dfe, J\u00e4nner, \u00ab Tout refuser \u00bb") == 'hauptstrasse, janner, " tout refuser "'


# --- consistency with the templates (the corpus: tests/corpus) --------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "nl", "de", "fr"])
def test_each_template_section_is_recognised_as_its_element(language: str) -> None:
    template = load_template(POLICY_TEMPLATE, CONFIG, language, "shop")
    variables = template_variables(STOREFRONT, VARS[language])
    assert set(template.sections) == set(BASIC + GDPR_EXTRA)
    for element_id in template.sections:
        text = page_text(template.render_sections([element_id], variables))
        assert present(text, language, element_id), (language, element_id)
    full = page_text(template.render(variables))
    assert all(finding.present for finding in detect_elements(full, language, "gdpr"))
