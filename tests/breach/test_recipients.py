"""Pure parts of notify: one entry per address from several sources, the CSV's errors, each recipient's
standing from its delivery records (sent wins; failed retried; sending alone is uncertain)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from automation.breach.notify import states
from automation.breach.recipients import Recipient, merge, read_csv
from automation.breach.register import Delivery
from ecom_privacy.errors import ConfigError

AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_one_entry_per_address_whatever_its_case_and_sources() -> None:
    merged = merge([Recipient("Ann@X.test", "Ann", "nl", "customers"), Recipient("ann@x.test", "", "nl", "newsletter"),
                    Recipient("bo@x.test", "", "nl", "newsletter")])
    assert [(r.email, r.name, r.source) for r in merged] == [("Ann@X.test", "Ann", "customers+newsletter"),
                                                             ("bo@x.test", "", "newsletter")]


def test_csv_errors_name_the_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("E-mail\nann@x.test\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"people.csv: needs a column 'email'"):
        read_csv(path, ("nl",))
    path.write_text("email,language\nann@x.test,en\nnot-an-address,nl\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"people.csv: line 3: 'not-an-address' is not an email address"):
        read_csv(path, ("nl", "en"))
    path.write_text("email,language\nann@x.test,es\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 2: language 'es' has no message \(no template for it\); use one "
                                          r"of nl, en, de, fr, leave it empty for the shop's default \(nl\)"):
        read_csv(path, ("nl", "en"), ("de", "en", "fr", "nl"))
    path.write_text("\ufeffEmail,Name\nann@x.test,Ann\n", encoding="utf-8")  # Excel's BOM and capitals
    assert read_csv(path, ("en",)) == [Recipient("ann@x.test", "Ann", "en", "people.csv")]
    with pytest.raises(ConfigError, match="recipients file not found"):
        read_csv(tmp_path / "missing.csv", ("nl",))


def test_csv_languages_per_person_default_to_the_shops_first(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name,language\nann@x.test,Ann,DE\nbo@x.test,Bo,en_GB\ncor@x.test,Cor,\n",
                    encoding="utf-8")
    assert [(r.email, r.language) for r in read_csv(path, ("nl", "en", "de"))] == [
        ("ann@x.test", "de"), ("bo@x.test", "en"), ("cor@x.test", "nl")]
    # A person's own language that the shop does not speak but there is a message for: written to in it.
    path.write_text("email,language\nann@x.test,fr\n", encoding="utf-8")
    assert read_csv(path, ("nl",), ("en", "fr", "nl"))[0].language == "fr"


def _d(email: str, attempt: int, state: str) -> Delivery:
    return Delivery(email, "nl", attempt, state, AT, "<id>" if state == "sent" else "")


def test_standing_from_delivery_records() -> None:
    standing = states([
        _d("a@x.test", 1, "sending"), _d("a@x.test", 1, "sent"),
        _d("b@x.test", 1, "sending"), _d("b@x.test", 1, "failed"),
        _d("c@x.test", 1, "sending"),
        _d("d@x.test", 1, "sending"), _d("d@x.test", 1, "failed"), _d("D@x.test", 2, "sending"),
        _d("e@x.test", 1, "sending"), _d("e@x.test", 1, "sent"), _d("e@x.test", 2, "sending"),
    ])
    assert {key: (s.state, s.attempt) for key, s in standing.items()} == {
        "a@x.test": ("sent", 1), "b@x.test": ("failed", 1), "c@x.test": ("uncertain", 1),
        "d@x.test": ("uncertain", 2), "e@x.test": ("sent", 2)}
