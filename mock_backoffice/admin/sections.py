"""The simple backoffice sections: dashboard, orders, products, customers (and `customers.json`) and the
settings index.

They only need to look plausible; the tool never changes anything here (breach notify reads the customers).
"""

from __future__ import annotations

import math
from typing import Any

from flask import jsonify, render_template, request
from werkzeug.wrappers import Response

from ..markup import require_twin
from ..storebp import admin_blueprint

bp = admin_blueprint("backoffice", __name__)

# (number, customer, date, total, status label key)
ORDERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("ORD00127", "Anna de Vries", "2024-05-14", "€ 649.00", "status_new"),
    ("ORD00126", "Tom Bakker", "2024-05-13", "€ 12.95", "status_paid"),
    ("ORD00125", "Sara Jansen", "2024-05-12", "€ 34.50", "status_shipped"),
    ("ORD00124", "Lucas Visser", "2024-05-11", "€ 89.00", "status_shipped"),
)
# (label key of the name, price, stock)
PRODUCTS: tuple[tuple[str, str, int], ...] = (
    ("product_1", "€ 649.00", 4),
    ("product_2", "€ 12.95", 38),
    ("product_3", "€ 34.50", 17),
    ("product_4", "€ 19.99", 0),
)
CUSTOMERS: tuple[tuple[str, str, int], ...] = (
    ("Anna de Vries", "anna@example.test", 3),
    ("Tom Bakker", "tom@example.test", 1),
    ("Sara Jansen", "sara@example.test", 5),
)


@bp.route("/")
def dashboard() -> str:
    return render_template("admin/dashboard.html", orders=ORDERS[:3], active="dashboard")


@bp.route("/orders")
def orders() -> str:
    return render_template("admin/orders.html", orders=ORDERS, active="orders")


@bp.route("/products")
def products() -> str:
    return render_template("admin/products.html", products=PRODUCTS, active="products")


@bp.route("/customers")
def customers() -> str:
    return render_template("admin/customers.html", customers=CUSTOMERS, active="customers")


@bp.route("/settings")
def settings() -> str:
    return render_template("admin/settings.html", active="settings")


#: customers.json pages like the real one: `?page=N`, `limit` up to 250, the number of pages in `links.pages`
MAX_LIMIT = 250


def _customer_json(number: int, name: str, email: str, orders: int) -> dict[str, Any]:
    firstname, _, lastname = name.partition(" ")
    # is_gdpr_anonymised, is_confirmed and notify_* are public field names; the rest the mock's guess
    return {"id": number, "email": email, "firstname": firstname, "lastname": lastname, "orders_count": orders,
            "is_gdpr_anonymised": False, "is_confirmed": True, "notify_newsletter": False}


@bp.get("/customers.json")
def customers_json() -> Response:
    require_twin("customers")
    try:
        page = max(1, int(request.args.get("page") or 1))
        limit = min(MAX_LIMIT, max(1, int(request.args.get("limit") or 25)))
    except ValueError:
        page, limit = 1, 25
    everyone = [_customer_json(number, *customer) for number, customer in enumerate(CUSTOMERS, start=1)]
    return jsonify({"customers": everyone[(page - 1) * limit:page * limit],
                    "links": {"pages": max(1, math.ceil(len(everyone) / limit)), "page": page, "limit": limit,
                              "count": len(everyone)}})
