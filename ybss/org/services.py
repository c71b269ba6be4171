"""Writes to the organisation structure: administrative divisions, police units and users.

These are county-admin operations (the demo and installation set-up use them too). Divisions,
police units and users are not business records: they carry no division/police-unit stamp and
no record history. Each function validates its input, raises ``InvalidInput`` with a stable
code, and runs in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ybss.core.data import heyang
from ybss.core.errors import InvalidInput

from .models import DIVISION_PREFIX_LEN, AdminDivision, DivisionLevel, PoliceUnit, PoliceUnitKind, Role, User

_CODE12 = re.compile(r"^[0-9]{12}$")

#: How many leading characters of a police unit's code are its prefix, by kind.
POLICE_PREFIX_LEN = {
    PoliceUnitKind.CITY_BUREAU: 4,
    PoliceUnitKind.COUNTY_BUREAU: 6,
    PoliceUnitKind.STATION: 9,
    PoliceUnitKind.DISTRICT: 12,
}


def _division_rows(code: str) -> list[AdminDivision]:
    tree = heyang()
    if tree["county"]["code"][:6] != code:
        raise InvalidInput(_("No division data is shipped for this county."), code="division.unknown_county")
    out: list[AdminDivision] = []

    def add(code12: str, name: str, level: int, parent: AdminDivision | None) -> AdminDivision:
        full = (parent.full_name if parent else "") + name
        row = AdminDivision(
            code=code12,
            name=name,
            level=level,
            parent_id=parent.code if parent else None,
            prefix=code12[: DIVISION_PREFIX_LEN[level]],
            full_name=full,
        )
        out.append(row)
        return row

    province = add(tree["province"]["code"], tree["province"]["name"], DivisionLevel.PROVINCE, None)
    city = add(tree["city"]["code"], tree["city"]["name"], DivisionLevel.CITY, province)
    county = add(tree["county"]["code"], tree["county"]["name"], DivisionLevel.COUNTY, city)
    for town in tree["towns"]:
        t = add(town["code"].ljust(12, "0"), town["name"], DivisionLevel.TOWN, county)
        for village in town["villages"]:
            add(village["code"], village["name"], DivisionLevel.VILLAGE, t)
    return out


@transaction.atomic
def county_load_divisions(code: str = "610524") -> int:
    """Load a county's divisions (province, city, county, townships, communities/villages) from
    the shipped data into ``AdminDivision``; returns how many were created.

    Each row gets its level, parent, code prefix (significant digits: 2/4/6/9/12) and full name
    (陕西省渭南市合阳县城关街道金水社区). Idempotent: existing rows are updated to the shipped
    names, nothing is deleted. Only 合阳县 (610524) ships today; another code raises
    ``InvalidInput`` (``division.unknown_county``).
    """
    rows = _division_rows(code)
    existing = {d.code: d for d in AdminDivision.objects.filter(code__in=[r.code for r in rows])}
    new = [r for r in rows if r.code not in existing]
    AdminDivision.objects.bulk_create(new)
    fields = ("name", "level", "parent_id", "prefix", "full_name")
    changed = [
        r
        for r in rows
        if r.code in existing and any(getattr(existing[r.code], f) != getattr(r, f) for f in fields)
    ]
    if changed:
        AdminDivision.objects.bulk_update(changed, list(fields))
    return len(new)


@transaction.atomic
def police_unit_create(
    *,
    actor: User | None = None,
    code: str,
    name: str,
    kind: PoliceUnitKind | str,
    parent_code: str | None = None,
    division_codes: Iterable[str] = (),
) -> PoliceUnit:
    """Create a police unit whose code nests under its parent's prefix, covering ``division_codes``.

    The prefix follows the kind (city bureau 4, county bureau 6, station 9, district 12
    characters). Errors (``InvalidInput``): ``police_unit.code`` (not 12 digits or taken),
    ``police_unit.kind``, ``police_unit.parent`` (missing, or the code does not start with the
    parent's prefix), ``police_unit.divisions`` (unknown division codes). ``actor`` is accepted
    for the audit trail of interactive use; the demo passes none.
    """
    if kind not in PoliceUnitKind.values:
        raise InvalidInput(_("Unknown kind of police unit."), code="police_unit.kind")
    if not _CODE12.match(code) or PoliceUnit.objects.filter(code=code).exists():
        raise InvalidInput(_("A police unit code is 12 digits and unique."), code="police_unit.code")
    parent = None
    if parent_code is not None:
        parent = PoliceUnit.objects.filter(code=parent_code).first()
        if parent is None or not code.startswith(parent.prefix) or code == parent.code:
            raise InvalidInput(
                _("The code must start with the parent unit's code prefix."), code="police_unit.parent"
            )
    codes = list(dict.fromkeys(division_codes))
    divisions = list(AdminDivision.objects.filter(code__in=codes))
    if len(divisions) != len(codes):
        raise InvalidInput(_("Some divisions do not exist."), code="police_unit.divisions")
    unit = PoliceUnit.objects.create(
        code=code,
        name=name,
        kind=str(kind),
        parent=parent,
        prefix=code[: POLICE_PREFIX_LEN[PoliceUnitKind(kind)]],
    )
    unit.divisions.set(divisions)
    return unit


@transaction.atomic
def user_create(
    *,
    actor: User | None = None,
    username: str,
    full_name: str,
    role: Role | str,
    police_unit_code: str | None = None,
    division_code: str | None = None,
    phone: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool = False,
    pk: int | None = None,
    date_joined: datetime | None = None,
) -> User:
    """Create a user with a role and a jurisdiction (police unit and/or division).

    Give ``password`` (hashed here) or an already computed ``password_hash`` (bulk set-up hashes
    once and reuses it: hashing is deliberately slow); neither → an unusable password. ``pk``
    fixes the id (the demo assigns ids so records can point at users without a round trip).
    Errors (``InvalidInput``): ``user.username`` (empty or taken), ``user.role``,
    ``user.police_unit``, ``user.division`` (unknown codes).
    """
    if not username or User.objects.filter(username=username).exists():
        raise InvalidInput(_("This user name is empty or already taken."), code="user.username")
    if role not in Role.values:
        raise InvalidInput(_("Unknown role."), code="user.role")
    if police_unit_code and not PoliceUnit.objects.filter(code=police_unit_code).exists():
        raise InvalidInput(_("Unknown police unit."), code="user.police_unit")
    if division_code and not AdminDivision.objects.filter(code=division_code).exists():
        raise InvalidInput(_("Unknown division."), code="user.division")
    extra: dict[str, Any] = {}
    if pk is not None:
        extra["pk"] = pk
    if date_joined is not None:
        extra["date_joined"] = date_joined
    user = User(
        username=username,
        full_name=full_name,
        role=str(role),
        police_unit_id=police_unit_code or None,
        division_id=division_code or None,
        phone=phone,
        is_staff=is_staff,
        is_superuser=False,
        **extra,
    )
    if password_hash is not None:
        user.password = password_hash
    elif password is not None:
        user.password = make_password(password)
    else:
        user.set_unusable_password()
    user.save(force_insert=True)
    return user


def notices_for_new_residence(
    *, actor: Any, person_id: int, new_unit_code: str, holder_unit_codes: Iterable[str]
) -> int:
    """Tell every other police unit that already holds a person that the person was just registered
    living in ``new_unit_code`` (DOMAIN.md §4). Returns how many notices were written. Call inside
    the registering service's transaction."""
    from .models import Notice, NoticeKind

    targets = sorted({c for c in holder_unit_codes if c and c != new_unit_code})
    Notice.objects.bulk_create(
        [
            Notice(
                police_unit_id=code,
                kind=NoticeKind.PERSON_REGISTERED_ELSEWHERE,
                record_type="registry.person",
                record_id=person_id,
                from_unit_id=new_unit_code,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            for code in targets
        ]
    )
    return len(targets)


def notice_mark_read(*, actor: Any, notice_id: int) -> None:
    """Mark one notice (in the actor's scope) read; NotFound otherwise."""
    from django.utils import timezone

    from . import jurisdiction
    from .models import Notice

    notice = jurisdiction.get_in_scope(Notice.objects.all(), actor, pk=notice_id)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=actor
        )
