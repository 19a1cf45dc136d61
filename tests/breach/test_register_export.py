"""The exported register shows, per store, its own numbers, whether the authority was notified late (or is
overdue), and the reasons given for the delay: in the CSV, the printable HTML, the JSON and `breach show`."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest

from ecom_privacy.clock import FixedClock
from tests.breach.conftest import BreachCli

pytestmark = pytest.mark.clock


def test_late_notifications_are_flagged_with_their_reasons(breach: BreachCli, breach_clock: FixedClock, db_url: str,
                                                           incident_file: Path, tmp_path: Path) -> None:
    discovered = (breach_clock.now() - timedelta(hours=80, minutes=30)).replace(second=0, microsecond=0)
    assert breach("new", "--file", str(incident_file), "--discovered-at", discovered.isoformat(), db=db_url).code == 0
    late = (discovered + timedelta(hours=80)).isoformat()
    assert breach("update", "1", "--store", "shop-en", "--authority-notified", late, "--facts-language", "en",
                  "--delay-reasons", "The platform's notice reached us on day three.", db=db_url).code == 0
    on_time = (breach_clock.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    assert breach("new", "--title", "Lost laptop", "--store", "shop-nl", "--discovered-at", on_time.isoformat(),
                  "--discovered-by", "own", db=db_url).code == 0
    assert breach("update", "2", "--authority-notified", "now", db=db_url).code == 0

    assert breach("export", "--out", str(tmp_path / "export"), db=db_url).code == 0
    rows = list(csv.DictReader((tmp_path / "export" / "breach-register.csv").open(encoding="utf-8")))
    by_store = {(row["incident"], row["store"]): row for row in rows}
    assert by_store[("1", "shop-en")]["authority_late"] == "yes, 08h00m after the deadline"
    assert by_store[("1", "shop-en")]["delay_reasons"] == "The platform's notice reached us on day three."
    assert by_store[("1", "shop-nl")]["authority_late"].startswith("overdue, no decision 08h3")
    assert by_store[("2", "shop-nl")]["authority_late"] == "no"
    assert (by_store[("1", "shop-nl")]["people_count"], by_store[("1", "shop-en")]["people_count"]) == ("400", "300")
    assert by_store[("1", "shop-nl")]["records_count"] == "800"

    html = (tmp_path / "export" / "breach-register.html").read_text(encoding="utf-8")
    assert "<th>Reasons for a late notification</th><td>The platform&#39;s notice reached us on day three.</td>" \
        in html
    assert '<td class="late">yes, 08h00m after the deadline</td>' in html
    assert '<td class="late">overdue, no decision 08h3' in html
    assert "<td>shop-nl</td><td>400</td>\n<td>800</td>" in html

    document = json.loads((tmp_path / "export" / "breach-register.json").read_text(encoding="utf-8"))
    assert document["incidents"][0]["stores"]["shop-en"]["authority_late"] == "yes, 08h00m after the deadline"
    shown = breach("show", "1", db=db_url).out
    assert "[LATE: yes, 08h00m after the deadline]" in shown and "[LATE: overdue, no decision" in shown
