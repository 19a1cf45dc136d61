"""The fleet file's `breach_mail`: whom a store's breach letters come from, and where replies go.

An agency writes to each client's customers in the client's name, not in its own:

    defaults:
      breach_mail: {reply_to: dpo@agency.example}
    groups:
      green-teas: {breach_mail: {from: "Green Teas <privacy@green-teas.example>"}}
    stores:
      - id: green-teas-de
        breach_mail: {reply_to: datenschutz@green-teas.example}

Like `languages`, a store fact that `defaults`, groups (in the store's order) and the store itself may set,
merged key by key. Without `from`, letters come from `ECOM_PRIVACY_SMTP_FROM`. Addresses go into mail
headers: one line each, checked here.
"""

from __future__ import annotations

import re
from email.utils import getaddresses
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ecom_privacy.config_errors import describe

KEY = "breach_mail"
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def check_address(value: str) -> str:
    """One address, optionally with a name: `privacy@shop.example` or `Shop <privacy@shop.example>`."""
    if any(char in value for char in "\r\n\0"):
        raise ValueError(f"{value!r} spans several lines; an address is one line")
    pairs = getaddresses([value])
    if len(pairs) != 1 or not _ADDRESS.match(pairs[0][1]):
        raise ValueError(f"{value!r} is not one e-mail address; e.g. 'Green Teas <privacy@green-teas.example>'")
    return value.strip()


class BreachMail(BaseModel):
    model_config = ConfigDict(extra="forbid")  # `from` only: a second name for one key is a typo waiting

    #: the letters' From (the store's name and a mailbox of its own); None: ECOM_PRIVACY_SMTP_FROM
    sender: str | None = Field(default=None, alias="from")
    #: where answers go (Reply-To), e.g. the DPO who can answer questions about the breach
    reply_to: list[str] = Field(default_factory=list)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        return None if value is None else check_address(value)

    @field_validator("reply_to", mode="before")
    @classmethod
    def _reply_to(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [check_address(item) if isinstance(item, str) else item for item in value]
        return value


def _layer(raw: Any) -> dict[str, Any]:
    """One layer's keys as given (an invalid layer is reported by breach_mail_errors)."""
    try:
        return BreachMail.model_validate(raw or {}).model_dump(by_alias=True, exclude_unset=True)
    except ValidationError:
        return {}


def breach_mail_errors(layers: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Every problem with `breach_mail` in `defaults` and the store's groups, each naming where it is."""
    errors = []
    for name, layer in layers:
        if KEY not in layer:
            continue
        try:
            BreachMail.model_validate(layer[KEY] or {})
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in (name, KEY, *error["loc"]))
                errors.append(f"{where}: {describe(error, BreachMail)}")
    return errors


def resolve_breach_mail(layers: list[tuple[str, dict[str, Any]]], own: BreachMail | None) -> BreachMail:
    """defaults < groups (in the store's order) < the store's own, key by key."""
    merged: dict[str, Any] = {}
    for _, layer in layers:
        merged.update(_layer(layer.get(KEY)))
    if own is not None:
        merged.update(own.model_dump(by_alias=True, exclude_unset=True))
    return BreachMail.model_validate(merged)
