"""The simple backoffice sections: dashboard, orders, products, customers and the settings index.

They only need to look plausible; the tool never changes anything here.
"""

from __future__ import annotations

from flask import render_template

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
