"""Customers (Klanten): the list of customer accounts, read for `breach notify` (name and email address).

Read from its JSON twin (`customers.json`, public: `links.pages`, `?page=N`, `limit` up to 250) when it answers,
else page by page: columns found by their header text (label table), the next page by `rel="next"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.pages.base import BackofficePage
from flows.pages.json_twin import JsonTwin, TwinUnusable, dig

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
    twin_key = "customers_json"
    page_name = "Customers"

    async def read_all(self) -> list[Customer]:
        """Every customer: from the JSON twin when it answers, else from the list's pages."""
        try:
            return await self._read_twin()
        except TwinUnusable:
            return await self._read_pages()

    async def _read_twin(self) -> list[Customer]:
        twin = JsonTwin(self.page, self.backoffice_url, self.labels, "customers", "customers_json")
        table = twin.table
        customers: dict[str, Customer] = {}
        page, pages = 1, 1
        while page <= pages:
            data = await twin.fetch({"page": page, "limit": int(str(table["limit"]))})
            items, count = dig(data, str(table["list"])), dig(data, str(table["pages"]))
            if not isinstance(items, list) or not isinstance(count, int) or not 0 <= count <= MAX_PAGES:
                raise TwinUnusable(f"{twin.label()} has no list of customers with a number of pages")
            pages = max(1, count)
            for item in items:
                email = dig(item, str(table["email"]))
                if not isinstance(email, str) or "@" not in email:
                    raise TwinUnusable(f"{twin.label()} has a customer without an email address")
                names = [dig(item, str(table[key])) for key in ("firstname", "lastname")]
                name = " ".join(part.strip() for part in names if isinstance(part, str) and part.strip())
                customers.setdefault(email.strip().casefold(), Customer(email.strip(), name))
            page += 1
        return list(customers.values())

    async def _read_pages(self) -> list[Customer]:
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
