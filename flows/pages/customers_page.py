"""Customers (Klanten): the list of customer accounts, read for `breach notify` (name and email address).

Columns are found by their header text (label table), the next page, if the list has several, by `rel="next"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.pages.base import BackofficePage

#: more pages than this means the pagination is going round in circles, not a real list
MAX_PAGES = 4_000

_READ_TABLE = """
(table, columns) => {
  const headers = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
  const index = {};
  for (const [key, label] of Object.entries(columns)) index[key] = headers.indexOf(label);
  const next = document.querySelector("a[rel='next']");
  const result = {headers, index, rows: [], next: next ? next.href : null};
  if (Object.values(index).some((i) => i < 0)) return result;
  for (const tr of table.querySelectorAll("tbody tr")) {
    if (tr.cells.length < headers.length) continue;  // an empty-state row
    result.rows.push({email: tr.cells[index.email].textContent.trim(), name: tr.cells[index.name].textContent.trim()});
  }
  return result;
}
"""


@dataclass(frozen=True)
class Customer:
    email: str
    name: str


class CustomersPage(BackofficePage):
    path_key = "customers"
    page_name = "Customers"

    async def read_all(self) -> list[Customer]:
        columns = self.labels.mapping("customers.columns")
        customers: dict[str, Customer] = {}
        seen: list[str] = []
        url: str | None = self.url
        while url is not None:
            if url in seen or len(seen) >= MAX_PAGES:
                raise self.mismatch("next page link", f"the pagination leads back to {url}")
            self.check_landing(await self.load(url))
            seen.append(url)
            header = self.page.get_by_role("columnheader", name=columns["email"], exact=True)
            table = await self.require(self.page.locator("table").filter(has=header),
                                       f"customers table (column {columns['email']!r})")
            data: dict[str, Any] = await table.evaluate(_READ_TABLE, columns)
            missing = [columns[key] for key, index in data["index"].items() if index < 0]
            if missing:
                raise self.mismatch(f"column {missing[0]!r}", f"the table's columns are {data['headers']}")
            for row in data["rows"]:
                if "@" not in row["email"]:
                    raise self.mismatch("email cell", f"{row['email']!r} is not an email address")
                customers.setdefault(row["email"].casefold(), Customer(row["email"], row["name"]))
            url = data["next"]
        return list(customers.values())
