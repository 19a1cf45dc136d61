"""newsletter_archive without a browser: the rule, the address files, the plan, stale-plan detection, the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ecom_privacy.errors import ConfigError
from ecom_privacy.models import ArchiveRuleRecord, Change
from ecom_privacy.setting import PlanInput
from flows.newsletter_archive import (
    NewsletterArchiveCurrent,
    NewsletterArchiveDesired,
    NewsletterArchiveSetting,
    build_rule,
)
from flows.newsletter_rule import (
    AddressFileError,
    AddressList,
    ArchiveRule,
    Subscriber,
    parse_address_csv,
    read_subscribers_csv,
    select_for_archive,
    subscribers_csv,
)

SETTING = NewsletterArchiveSetting()


def sub(email: str, day: str, source: str, name: str = "") -> Subscriber:
    return Subscriber(email=email, name=name or email.split("@")[0].title(), subscribed_at=date.fromisoformat(day),
                      source=source)


LIST = [
    sub("form.old@x.test", "2016-01-01", "form"),
    sub("checkout.old@x.test", "2017-02-02", "checkout"),
    sub("manual.old@x.test", "2018-05-24", "manual"),  # the day before: archived
    sub("import.old@x.test", "2014-03-03", "import"),
    sub("manual.onthedate@x.test", "2018-05-25", "manual"),  # on the date: kept
    sub("import.new@x.test", "2020-06-06", "import"),
    sub("Re.Subscribed@X.test", "2015-07-07", "import"),
]


def archived(rule: ArchiveRule, subscribers: list[Subscriber] = LIST) -> list[str]:
    return [d.subscriber.email for d in select_for_archive(subscribers, rule).archive]


def test_default_rule_archives_passive_subscribers_before_the_gdpr_date() -> None:
    assert archived(ArchiveRule()) == ["manual.old@x.test", "import.old@x.test", "Re.Subscribed@X.test"]
    [first, *_] = select_for_archive(LIST, ArchiveRule()).archive
    assert first.reason == "source manual, subscribed 2018-05-24 (before 2018-05-25)"


def test_date_and_sources_are_configurable() -> None:
    rule = ArchiveRule(subscribed_before=date(2015, 1, 1), sources=frozenset({"import", "form"}))
    assert archived(rule) == ["import.old@x.test"]
    rule = ArchiveRule(subscribed_before=date(2021, 1, 1), sources=frozenset({"import"}))
    assert archived(rule) == ["import.old@x.test", "import.new@x.test", "Re.Subscribed@X.test"]


def test_keep_lists_override_the_rule_case_insensitively() -> None:
    rule = ArchiveRule(keep=(AddressList.of("keep", ["re.subscribed@x.TEST"]),
                             AddressList.of("keep_file resubscribed.csv", ["MANUAL.OLD@x.test "])))
    selection = select_for_archive(LIST, rule)
    assert [d.subscriber.email for d in selection.archive] == ["import.old@x.test"]
    assert [(d.subscriber.email, d.reason) for d in selection.kept] == [
        ("manual.old@x.test", "kept: listed in keep_file resubscribed.csv"),
        ("Re.Subscribed@X.test", "kept: listed in keep"),
    ]


def test_emails_file_narrows_the_rule() -> None:
    only = AddressList.of("emails_file list.csv", ["import.old@x.test", "form.old@x.test", "import.new@x.test"])
    selection = select_for_archive(LIST, ArchiveRule(only=only))
    # form.old is active and import.new too recent: listing them does not make them archivable
    assert [d.subscriber.email for d in selection.archive] == ["import.old@x.test"]
    assert selection.archive[0].reason.endswith(", listed in emails_file list.csv")


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        ("a@x.test\nB@X.test\n\n", {"a@x.test", "b@x.test"}),
        ("\ufeffname;E-mailadres\nJan;jan@x.test\nPiet;piet@x.test\n", {"jan@x.test", "piet@x.test"}),
        ("email,name,date,source\nq@x.test,Q,2016-01-01,import\n", {"q@x.test"}),
        ("Email Address\tname\n t@x.test \tT\n", {"t@x.test"}),
        ("", set()),
    ],
)
def test_address_csv_formats(text: str, emails: set[str]) -> None:
    assert parse_address_csv(text) == emails


@pytest.mark.parametrize(("text", "line"), [
    ("name,phone\nJan,0612\n", "line 1"),
    ("a@x.test\nnot an address\n", "line 2"),
    ("email\n\n,x\n", "line 3"),
])
def test_address_csv_errors_name_the_line(text: str, line: str) -> None:
    with pytest.raises(AddressFileError, match=line):
        parse_address_csv(text)


def context(tmp_path: Path) -> PlanInput:
    return PlanInput(store_id="shop-a", locale="en", base_dir=tmp_path)


def desired(**values: Any) -> NewsletterArchiveDesired:
    return NewsletterArchiveDesired.model_validate({"enabled": True, **values})


def test_files_resolve_from_the_fleet_folder(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "keep.csv").write_text("email\nmanual.old@x.test\n")
    (tmp_path / "only.txt").write_text("manual.old@x.test\nimport.old@x.test\n")
    rule = build_rule(desired(keep_file="lists/keep.csv", emails_file=str(tmp_path / "only.txt")), context(tmp_path))
    assert archived(rule) == ["import.old@x.test"]


def test_missing_or_bad_files_are_config_errors_naming_store_and_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        build_rule(desired(keep_file="nope.csv"), context(tmp_path))
    assert "store shop-a" in str(info.value) and "keep_file" in str(info.value)
    assert str(tmp_path / "nope.csv") in str(info.value) and "not found" in str(info.value)
    (tmp_path / "bad.csv").write_text("email\nsomeone\n")
    with pytest.raises(ConfigError, match=r"store shop-a: newsletter_archive.emails_file: .*bad.csv: line 2"):
        build_rule(desired(emails_file="bad.csv"), context(tmp_path))
    (tmp_path / "latin1.csv").write_bytes("jos\xe9@x.test\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        build_rule(desired(keep_file="latin1.csv"), context(tmp_path))


def test_desired_model_validation() -> None:
    with pytest.raises(ValidationError, match="enabled"):
        NewsletterArchiveDesired.model_validate({})
    with pytest.raises(ValidationError, match="sources"):
        desired(sources=["newspaper"])
    with pytest.raises(ValidationError, match="'nobody' is not an email address"):
        desired(keep=["nobody"])
    assert desired(subscribed_before="2019-01-01").subscribed_before == date(2019, 1, 1)


def current(subscribers: list[Subscriber] = LIST) -> NewsletterArchiveCurrent:
    return NewsletterArchiveCurrent(subscribers=tuple(subscribers))


def test_plan_names_every_subscriber_and_is_irreversible(tmp_path: Path) -> None:
    [change] = SETTING.plan(current(), desired(keep=["re.subscribed@x.test"]), context(tmp_path))
    assert (change.setting, change.action, change.irreversible) == ("newsletter_archive", "archive", True)
    assert change.summary == ("2 of 7 active subscriber(s): source import or manual, subscribed before 2018-05-25; "
                              "1 more kept by keep lists")
    assert change.after["archived"] == ["manual.old@x.test", "import.old@x.test"]
    assert change.selection is not None and change.detail == {}
    assert [(s.email, s.name, s.subscribed_at, s.source) for s in change.selection.subscribers] == [
        ("manual.old@x.test", "Manual.Old", date(2018, 5, 24), "manual"),
        ("import.old@x.test", "Import.Old", date(2014, 3, 3), "import"),
    ]
    assert all(s.reason.startswith("source ") for s in change.selection.subscribers)
    assert change.selection.kept[0].email == "Re.Subscribed@X.test"
    assert change.selection.rule == ArchiveRuleRecord(subscribed_before=date(2018, 5, 25), sources=["import", "manual"],
                                                      keep=["keep"])
    # The plan JSON stays readable: ISO dates, the same row fields as the export
    row = change.model_dump(mode="json")["selection"]["subscribers"][0]
    assert row == {"email": "manual.old@x.test", "name": "Manual.Old", "subscribed_at": "2018-05-24",
                   "source": "manual", "reason": row["reason"]}
    assert Change.model_validate_json(change.model_dump_json()) == change
    assert "- manual.old@x.test" in change.diff and "= Re.Subscribed@X.test" in change.diff


def test_nothing_to_plan_when_disabled_or_nobody_matches(tmp_path: Path) -> None:
    assert SETTING.plan(current(), NewsletterArchiveDesired(enabled=False), context(tmp_path)) == []
    assert SETTING.plan(current(LIST[:2]), desired(), context(tmp_path)) == []


def test_text_plan_shows_ten_and_points_to_the_json(tmp_path: Path) -> None:
    many = [sub(f"p{n}@x.test", "2016-01-01", "import") for n in range(25)]
    [change] = SETTING.plan(current(many), desired(), context(tmp_path))
    assert change.selection is not None
    assert len(change.after["archived"]) == 25 and len(change.selection.subscribers) == 25
    assert change.diff.count("\n- ") == 9 and "... and 15 more" in change.diff


def stale(tmp_path: Path, planned_list: list[Subscriber], now_list: list[Subscriber], **values: Any) -> str | None:
    observed = SETTING.observe(current(planned_list), desired(), context(tmp_path))
    return SETTING.stale_reason(observed, current(now_list), desired(**values), context(tmp_path))


def test_an_unrelated_signup_does_not_make_the_plan_stale(tmp_path: Path) -> None:
    assert stale(tmp_path, LIST, [sub("fresh@x.test", "2025-01-01", "form"), *LIST]) is None
    assert stale(tmp_path, LIST, [*LIST, sub("late.import@x.test", "2022-01-01", "import")]) is None


def test_planned_ones_archived_meanwhile_do_not_make_it_stale(tmp_path: Path) -> None:
    assert stale(tmp_path, LIST, [s for s in LIST if s.email != "import.old@x.test"]) is None


def test_a_new_candidate_or_a_changed_planned_one_makes_it_stale(tmp_path: Path) -> None:
    extra = sub("old.import2@x.test", "2013-01-01", "import")
    assert "1 subscriber(s) now match the rule that the plan does not name: old.import2@x.test" in (
        stale(tmp_path, LIST, [*LIST, extra]) or "")
    kept_now = stale(tmp_path, LIST, LIST, keep=["IMPORT.OLD@x.test"])
    assert kept_now == "1 planned subscriber(s) changed or are now kept: import.old@x.test"
    renamed = [sub("import.old@x.test", "2014-03-03", "import", name="Someone Else") if s.email == "import.old@x.test"
               else s for s in LIST]
    assert "changed or are now kept: import.old@x.test" in (stale(tmp_path, LIST, renamed) or "")
    assert SETTING.stale_reason({"mode": "confirm"}, current(), desired(), context(tmp_path)) is not None


def test_export_csv_round_trips_and_defuses_formulas() -> None:
    rows = [sub("a@x.test", "2016-01-01", "import", name="Jan, de \"Fietser\""),
            sub("b@x.test", "2017-01-01", "manual", name="=HYPERLINK(\"http://evil\")")]
    text = subscribers_csv(rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed == [["email", "name", "date", "source"], ["a@x.test", "Jan, de \"Fietser\"", "2016-01-01", "import"],
                      ["b@x.test", "'=HYPERLINK(\"http://evil\")", "2017-01-01", "manual"]]
    assert parse_address_csv(text) == {"a@x.test", "b@x.test"}  # an export can serve as emails_file or keep_file


def mismatch(tmp_path: Path, edit: Any) -> str | None:
    """saved_plan_mismatch of a plan whose one archive change (as JSON, as the file holds it) `edit` changed."""
    [change] = SETTING.plan(current(), desired(), context(tmp_path))
    saved = change.model_dump(mode="json")
    edit(saved)
    observed = SETTING.observe(current(), desired(), context(tmp_path))
    return SETTING.saved_plan_mismatch([saved], observed, current(), desired(), context(tmp_path))


def test_a_saved_selection_is_checked_field_by_field(tmp_path: Path) -> None:
    assert mismatch(tmp_path, lambda saved: None) is None  # the control: an untouched plan fits
    widened = mismatch(tmp_path, lambda saved: saved["selection"]["rule"].__setitem__("sources", ["form", "import"]))
    assert (widened or "").startswith("changes[0].selection.rule (the file says {")
    assert (mismatch(tmp_path, lambda saved: saved.__setitem__("selection", None)) or "").startswith(
        "changes[0].selection (missing")

    def add_active_form_subscriber(saved: dict[str, Any]) -> None:
        victim = next(s for s in LIST if s.source == "form")
        saved["selection"]["subscribers"].append({**victim.model_dump(mode="json"), "reason": "made up"})
        saved["after"]["archived"].append(victim.email)

    added = mismatch(tmp_path, add_active_form_subscriber) or ""
    assert added.startswith("changes[0].selection.subscribers[3] (form.old@x.test")
    dropped = mismatch(tmp_path, lambda saved: saved["after"]["archived"].pop())
    assert (dropped or "").startswith("changes[0].after.archived")


# --- a list without a Source column (most real stores) ----------------------------------------------------------
UNSOURCED = [Subscriber(email=s.email, name=s.name, subscribed_at=s.subscribed_at) for s in LIST]


def unsourced(subscribers: list[Subscriber] = UNSOURCED) -> NewsletterArchiveCurrent:
    return NewsletterArchiveCurrent(subscribers=tuple(subscribers), source_column=False)


@pytest.mark.parametrize("values", [{}, {"sources": ["import"]}])
def test_without_a_source_column_asking_for_sources_is_one_config_error(tmp_path: Path, values: dict) -> None:
    with pytest.raises(ConfigError) as error:
        SETTING.plan(unsourced(), desired(**values), context(tmp_path))
    message = str(error.value)
    assert message.startswith("store shop-a: newsletter_archive: the newsletter list shows no Source column")
    assert "set newsletter_archive.sources: any" in message and "emails_file" in message and "\n" not in message


def test_sources_any_archives_everyone_before_the_date_on_email_and_date(tmp_path: Path) -> None:
    [change] = SETTING.plan(unsourced(), desired(sources="any", keep=["re.subscribed@x.test"]), context(tmp_path))
    assert change.after["archived"] == ["form.old@x.test", "checkout.old@x.test", "manual.old@x.test",
                                        "import.old@x.test"]
    assert change.summary.startswith("4 of 7 active subscriber(s): any source, subscribed before 2018-05-25")
    assert change.selection is not None and change.selection.rule.sources == ["any"]
    assert [row.source for row in change.selection.subscribers] == [None] * 4
    assert change.selection.subscribers[0].reason == "subscribed 2016-01-01 (before 2018-05-25)"
    # a saved plan of it is re-derived the same way (stale checks and saved plans work on email and date)
    observed = SETTING.observe(unsourced(), desired(sources="any"), context(tmp_path))
    assert SETTING.stale_reason(observed, unsourced(), desired(sources="any"), context(tmp_path)) is None
    again = [sub_.model_copy(update={"subscribed_at": date(2016, 1, 2)}) if sub_.email == "form.old@x.test" else sub_
             for sub_ in UNSOURCED]  # archived and signed up again: the same address, another date
    assert "changed or are now kept: form.old@x.test" in (
        SETTING.stale_reason(observed, unsourced(again), desired(sources="any"), context(tmp_path)) or "")


def test_an_emails_file_needs_no_source(tmp_path: Path) -> None:
    (tmp_path / "only.csv").write_text("email\nform.old@x.test\nimport.new@x.test\n", encoding="utf-8")
    [change] = SETTING.plan(unsourced(), desired(emails_file="only.csv"), context(tmp_path))
    assert change.after["archived"] == ["form.old@x.test"]  # the date still has to match
    with pytest.raises(ConfigError, match="sources manual cannot be evaluated"):
        SETTING.plan(unsourced(), desired(emails_file="only.csv", sources=["manual"]), context(tmp_path))


def test_a_store_with_a_source_column_keeps_the_default_rule(tmp_path: Path) -> None:
    [change] = SETTING.plan(current(), desired(), context(tmp_path))
    assert change.after["archived"] == ["manual.old@x.test", "import.old@x.test", "Re.Subscribed@X.test"]
    assert archived(build_rule(desired(sources="any"), context(tmp_path))) == [
        s.email for s in LIST if s.subscribed_at < date(2018, 5, 25)]


def test_the_export_of_unsourced_subscribers_has_an_empty_source() -> None:
    text = subscribers_csv(UNSOURCED[:1])
    assert text.splitlines()[1] == "form.old@x.test,Form.Old,2016-01-01,"
    assert read_subscribers_csv(text) == UNSOURCED[:1]
