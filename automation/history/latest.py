"""Keep `history_latest` (the newest result per store and setting) up to date as runs are recorded.

Runs nearly always arrive in order, so the newest result and "as declared since" follow from the row
before; a run imported out of order (older than what is recorded) has its store and setting recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from automation.history.tables import HistoryLatest, HistoryResult

AS_DECLARED = ("compliant", "changed")
PROBLEMS = ("drift", "blocked", "failed")


@dataclass
class Recorded:
    id: int
    store_id: str
    setting: str
    status: str
    created_at: datetime


@dataclass
class _Latest:
    result_id: int
    created_at: datetime
    compliant_since: datetime | None
    known: bool  # already a row in the table (update) or not yet (insert)


def update_latest(connection: Connection, recorded: list[Recorded]) -> None:
    considered = [row for row in recorded if row.status != "skipped"]  # not reached says nothing
    if not considered:
        return
    latest = HistoryLatest
    stores = sorted({row.store_id for row in considered})
    state = {(row.store_id, row.setting): _Latest(row.result_id, row.created_at, row.compliant_since, True)
             for row in connection.execute(select(latest).where(latest.store_id.in_(stores)))}
    out_of_order: set[tuple[str, str]] = set()
    changed: set[tuple[str, str]] = set()
    for row in considered:
        key = (row.store_id, row.setting)
        current = state.get(key)
        if current is not None and current.created_at > row.created_at:
            out_of_order.add(key)
            continue
        since = None
        if row.status in AS_DECLARED:
            since = current.compliant_since if current is not None and current.compliant_since else row.created_at
        state[key] = _Latest(row.id, row.created_at, since, current is not None and current.known)
        changed.add(key)
    pending = [(key, state[key]) for key in sorted(changed - out_of_order)]
    fresh = [{"store_id": key[0], "setting": key[1], "result_id": item.result_id, "created_at": item.created_at,
              "compliant_since": item.compliant_since} for key, item in pending if not item.known]
    # Bound names differ from the column names: those are reserved for the SET clause.
    known = [{"k_store": key[0], "k_setting": key[1], "v_result": item.result_id, "v_at": item.created_at,
              "v_since": item.compliant_since} for key, item in pending if item.known]
    if fresh:
        connection.execute(insert(latest), fresh)
    if known:
        same_key = and_(latest.store_id == bindparam("k_store"), latest.setting == bindparam("k_setting"))
        connection.execute(update(latest).where(same_key).values(
            result_id=bindparam("v_result"), created_at=bindparam("v_at"), compliant_since=bindparam("v_since")),
            known)
    for store_id, setting in sorted(out_of_order):
        recompute(connection, store_id, setting)


def recompute(connection: Connection, store_id: str, setting: str) -> None:
    """The newest result and "as declared since" of one store and setting, from all its results."""
    results = HistoryResult
    same = and_(results.store_id == store_id, results.setting == setting, results.status != "skipped")
    newest = connection.execute(select(results.id, results.created_at, results.status).where(same)
                                .order_by(results.created_at.desc(), results.id.desc()).limit(1)).first()
    connection.execute(delete(HistoryLatest).where(HistoryLatest.store_id == store_id,
                                                   HistoryLatest.setting == setting))
    if newest is None:
        return
    since = None
    if newest.status in AS_DECLARED:
        last_problem = connection.scalar(select(func.max(results.created_at)).where(
            same, results.status.in_(PROBLEMS)))
        query = select(func.min(results.created_at)).where(same, results.status.in_(AS_DECLARED))
        if last_problem is not None:
            query = query.where(results.created_at > last_problem)
        since = connection.scalar(query)
    connection.execute(insert(HistoryLatest).values(store_id=store_id, setting=setting, result_id=newest.id,
                                                    created_at=newest.created_at, compliant_since=since))
