"""Applying planned operations in bulk: every kind plans, per row and record slot, one of

* ``("new", values, (division_id, police_unit_id))`` — insert, stamped with both hierarchies;
* ``("upd", id, version, {field: (old, new)})`` — update the changed fields if still at ``version``;
* ``("same", id)`` — nothing to do;

and :func:`apply` carries them out for a batch of rows with one insert and one update statement per
set of changed fields, writing a history row (action "import") for every record created or
changed. Runs inside the import's transaction (the writers check).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models

from ybss.core.models import RecordStatus

from .base import Row

EMPTY: tuple[Any, ...] = ("", None, [], False)


@cache
def _shown(field: str) -> str:
    # History names a foreign key by its field ("house"), as the registry services do.
    return field[:-3] if field.endswith("_id") else field


def apply(
    rows: list[Row], slot: str, model: type[models.Model], w: Any, *, ids: dict[int, int] | None = None
) -> dict[int, int]:
    """Carry out ``row.plan[slot]`` for every row (rows whose plan lacks the slot are skipped).
    Returns row number → record id for every row, so later slots can point at the records."""
    record_type = model._meta.label_lower
    table = w.table(model)
    ids = {} if ids is None else ids
    new = [r for r in rows if slot in r.plan and r.plan[slot][0] == "new"]
    inserts = []
    for r, pk in zip(new, table.reserve_ids(len(new)), strict=True):
        _op, values, (division_id, police_unit_id) = r.plan[slot]
        ids[r.number] = pk
        inserts.append(
            table.row(
                {
                    **values,
                    "id": pk,
                    "division_id": division_id,
                    "police_unit_id": police_unit_id,
                    "status": RecordStatus.DRAFT,
                    "version": 1,
                    "created_at": w.at,
                    "updated_at": w.at,
                    "created_by_id": r.plan.get("created_by") or w.actor_id,
                    "updated_by_id": w.actor_id,
                }
            )
        )
        shown = {_shown(k): (None, v) for k, v in values.items() if v not in EMPTY}
        w.history.add(record_type, pk, 1, shown, r.plan["reason"])
    table.insert(inserts)
    w.report.count(record_type, "created", len(new))

    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    unchanged = 0
    for r in rows:
        op = r.plan.get(slot)
        if op is None or op[0] == "new":
            continue
        ids[r.number] = op[1]
        if op[0] == "same":
            unchanged += 1
            continue
        _op, pk, version, changes = op
        fields = tuple(sorted(changes))
        groups.setdefault(fields, []).append((*(changes[f][1] for f in fields), pk, version))
        w.history.add(
            record_type, pk, version + 1, {_shown(k): v for k, v in changes.items()}, r.plan["reason"]
        )
    for fields, params in groups.items():
        table.update(fields, params, updated_at=w.at, updated_by=w.actor_id)
    w.report.count(record_type, "updated", sum(len(p) for p in groups.values()))
    w.report.count(record_type, "unchanged", unchanged)
    return ids


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields of ``new`` whose value differs from ``old``: {field: (old, new)}."""
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}


def given(values: dict[str, Any]) -> dict[str, Any]:
    """The values a row actually gives: a blank cell never erases a stored value."""
    return {k: v for k, v in values.items() if v not in ("", None)}
