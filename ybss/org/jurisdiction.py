"""Who may see what: the only code in ybss that decides it.

Policy (default deny)
---------------------
* Every business record carries ``division`` (administrative tree) and ``police_unit`` (police
  tree), stamped when it is written. Both primary keys are codes that nest by prefix, so a subtree
  is ``<field>_id LIKE '<prefix>%'``, written as a range over the 12-digit codes (``code_range``)
  so that it uses the index.
* A user's jurisdiction is the subtree of their ``police_unit`` (county bureau → the county,
  station → the station, police district → the district) together with the subtree of their
  ``division`` (a collector assigned to a village). A user with neither sees nothing.
* Roles narrow this further: the auditor reads the audit trail and no business data; every other
  role sees business data only inside its jurisdiction.
* A person is visible where their record is stamped and wherever they have a current residence
  in jurisdiction, so a person who moved is seen by both districts.
* Notices (``org.Notice``) are addressed to a police unit and seen inside its subtree.
* Out of scope and missing look the same: ``get_in_scope`` raises ``NotFound`` for both.
* Identifier masking: ID numbers and phones are shown in full only to roles that need them
  (``FULL_IDENTIFIER_ROLES``); everyone else sees ``610524********123X`` and ``138****5678``.

Every list, detail, search, export, API operation and admin page starts from ``scope()``; the
URL-walk test (tests/org/test_scoping_walk.py) proves none leaks another station's records.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from ybss.core.errors import Forbidden, NotFound

from .models import Role, User

M = TypeVar("M", bound=Model)

#: Roles that see full ID numbers and phones. Collectors enter them but see others' masked.
FULL_IDENTIFIER_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.INVESTIGATOR})

#: Roles that may see business data at all (inside their jurisdiction).
BUSINESS_ROLES = frozenset(
    {Role.COLLECTOR, Role.OFFICER, Role.CHIEF, Role.SUPERVISOR, Role.INVESTIGATOR, Role.ADMIN}
)

#: Roles that may edit business records (subject to scope).
EDIT_ROLES = frozenset({Role.COLLECTOR, Role.OFFICER, Role.CHIEF, Role.ADMIN})

#: Roles that may review (accept / return) records.
REVIEW_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.ADMIN})

#: Roles that may read the audit trail.
AUDIT_ROLES = frozenset({Role.AUDITOR})

#: Roles that may export.
EXPORT_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.SUPERVISOR, Role.INVESTIGATOR, Role.ADMIN})


CODE_LENGTH = 12


def code_range(prefix: str) -> tuple[str, str]:
    """The 12-digit codes that start with ``prefix``, as an inclusive range.

    Every division and police-unit code is exactly 12 digits, so ``BETWEEN '610524501000' AND
    '610524501999'`` selects the same rows as ``LIKE '610524501%'`` — but, unlike LIKE, it uses the
    B-tree index on SQLite and on PostgreSQL under any collation.
    """
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9")


#: Prefixes at least this long (township / station and below) select a small part of a county.
NARROW_PREFIX = 9


def subtree_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` code lies in the subtree ``prefix``.

    A narrow subtree (a station, district, township or village) is an index range; a wide one (a
    county or more, most of the table) is a prefix match, which the planners answer with a plain
    scan — faster than walking most of an index on SQLite, which has no statistics to tell.
    """
    if len(prefix) >= NARROW_PREFIX:
        return Q(**{f"{field}__pk__range": code_range(prefix)})
    return Q(**{f"{field}__pk__startswith": prefix})


def jurisdiction_q(user: User, prefix: str = "") -> Q | None:
    """The filter for records in ``user``'s jurisdiction, or None when the user may see nothing.

    ``prefix`` is prepended to the field names, for filtering through a relation.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role not in BUSINESS_ROLES:
        return None
    q = Q()
    has = False
    if user.police_unit is not None:
        q |= subtree_q(f"{prefix}police_unit", user.police_unit.prefix)
        has = True
    if user.division is not None:
        q |= subtree_q(f"{prefix}division", user.division.prefix)
        has = True
    return q if has else None


def scope(qs: QuerySet[M], user: User) -> QuerySet[M]:
    """``qs`` narrowed to what ``user`` may see (empty when nothing). The one entry point."""
    q = jurisdiction_q(user)
    if q is None:
        return qs.none()
    model = qs.model
    if model._meta.label_lower == "org.notice":
        # Notices are addressed to police units only: a division-only assignment receives none.
        if user.police_unit is None:
            return qs.none()
        return qs.filter(subtree_q("police_unit", user.police_unit.prefix))
    if model._meta.label_lower == "registry.person":
        from ybss.registry.models import Residence

        # An IN over the residences in scope is evaluated once; a correlated EXISTS per person row
        # was 3x slower over a county's 220k people.
        living_here = Residence.objects.filter(q, active=True).values("person_id")
        return qs.filter(q | Q(pk__in=living_here))
    return qs.filter(q)


def get_in_scope(qs: QuerySet[M], user: User, **lookup: object) -> M:
    """One object in scope, or NotFound (the same for missing and out of scope)."""
    try:
        return scope(qs, user).get(**lookup)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError, TypeError) as exc:
        raise NotFound() from exc


def in_scope(obj: Model, user: User) -> bool:
    """True when ``obj`` is inside ``user``'s jurisdiction."""
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def check_can_write(user: User, *, division_id: str, police_unit_id: str) -> None:
    """Raise unless ``user`` may write a record stamped with these hierarchy codes."""
    if user.role not in EDIT_ROLES:
        raise Forbidden()
    allowed = False
    if user.police_unit is not None and police_unit_id.startswith(user.police_unit.prefix):
        allowed = True
    if user.division is not None and division_id.startswith(user.division.prefix):
        allowed = True
    if not allowed:
        raise NotFound()


def require_role(user: User, roles: frozenset[str]) -> None:
    if not getattr(user, "is_authenticated", False) or user.role not in roles:
        raise Forbidden()


def sees_full_identifiers(user: User) -> bool:
    return getattr(user, "role", None) in FULL_IDENTIFIER_ROLES


def can_see_business_data(user: User) -> bool:
    return jurisdiction_q(user) is not None


def can_export(user: User) -> bool:
    return getattr(user, "role", None) in EXPORT_ROLES and can_see_business_data(user)


def can_review(user: User) -> bool:
    return getattr(user, "role", None) in REVIEW_ROLES


def can_edit(user: User) -> bool:
    return getattr(user, "role", None) in EDIT_ROLES


def can_read_audit(user: User) -> bool:
    return getattr(user, "role", None) in AUDIT_ROLES


def show_id_number(user: User, value: str | None) -> str:
    """An ID number as ``user`` may see it: in full for FULL_IDENTIFIER_ROLES, else masked."""
    from ybss.core.identifiers import mask_id_number

    if not value:
        return ""
    return value if sees_full_identifiers(user) else mask_id_number(value)


def show_phone(user: User, value: str | None) -> str:
    """A phone number as ``user`` may see it."""
    from ybss.core.identifiers import mask_phone

    if not value:
        return ""
    return value if sees_full_identifiers(user) else mask_phone(value)
