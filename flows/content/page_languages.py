"""Shop languages of a content page: each language's storefront root, and whether the required-elements
table can check a policy written in it."""

from __future__ import annotations

from flows.content.privacy_elements import element_table


def language_root(storefront_url: str, languages: tuple[str, ...], language: str) -> str:
    """A language's storefront root: the store's address for the default language, else `<store>/<language>/`
    (the platform's prefix for every other shop language; page slugs are the same in every language)."""
    base = storefront_url.rstrip("/") + "/" if storefront_url else ""
    return base if not languages or language == languages[0] or not base else f"{base}{language}/"


def checkable(language: str) -> bool:
    """True when flows/content/privacy_elements.yaml has wording for `language` (every element must have it)."""
    table = element_table()
    return all(language in element.wordings for element in table.elements.values())


def tagged(language: str, languages: tuple[str, ...], text: str) -> str:
    """`[de] text` when the shop has several languages; the text as it is for a one-language shop."""
    return f"[{language}] {text}" if len(languages) > 1 else text
