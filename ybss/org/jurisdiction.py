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
* Bulletins (``supervision.Bulletin``, 通报) are county documents stamped with the county bureau:
  read by ``BULLETIN_READ_ROLES`` whose police unit lies inside that bureau's subtree (a station
  chief or officer reads the whole county's bulletin); drafted and issued only by
  ``BULLETIN_ROLES`` at the county bureau (``can_issue_bulletins``).
* Out of scope and missing look the same: ``get_in_scope`` raises ``NotFound`` for both.
* Spot checks (抽查, ``supervision``): drawn by ``SPOT_CHECK_ROLES``; seen and checked only by
  ``SPOT_CHECKER_ROLES`` inside their jurisdiction. Collectors see none: a collector must not learn
  which of their records were drawn before someone else has checked them.
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

#: Roles that set the station ranking's weights (county level only, see supervision.ranking).
RANKING_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})

#: Roles that set targets (目标考核): chiefs for their own station's districts and officers,
#: supervisors and admins for the county.
TARGET_ROLES = frozenset({Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})

#: Roles that may draft, issue and revise the county's bulletins (通报), at the county bureau.
BULLETIN_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})

#: Roles that may read the bulletins of the county bureau their unit lies under.
BULLETIN_READ_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})

#: Roles that may draw, assign and close spot checks (抽查) inside their jurisdiction.
SPOT_CHECK_ROLES = frozenset({Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})

#: Roles that see spot checks in their jurisdiction and may be assigned one to check.
SPOT_CHECKER_ROLES = frozenset({Role.OFFICER, Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})

#: Roles that may upload watch lists (布控/比对名单) and run comparisons (casework, issue 8).
WATCHLIST_ROLES = frozenset({Role.INVESTIGATOR, Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})

#: Roles that may approve a watch list (never the uploader: see casework.services).
WATCHLIST_APPROVER_ROLES = frozenset({Role.CHIEF, Role.SUPERVISOR, Role.ADMIN})


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
    if model._meta.label_lower == "supervision.bulletin":
        # A county document: seen from inside the issuing bureau's subtree, i.e. when the bulletin's
        # unit is the user's own unit or one of its ancestors (whose code prefixes the user's).
        if user.role not in BULLETIN_READ_ROLES or user.police_unit is None:
            return qs.none()
        code = user.police_unit.code
        return qs.filter(police_unit__prefix__in=[code[:n] for n in range(1, CODE_LENGTH + 1)])
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


def can_issue_bulletins(user: User) -> bool:
    """True for a bulletin role (supervisor, admin) at a county bureau: who drafts and issues 通报."""
    unit = getattr(user, "police_unit", None)
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "role", None) in BULLETIN_ROLES
        and unit is not None
        and unit.kind == "county_bureau"
    )


def can_export(user: User) -> bool:
    return getattr(user, "role", None) in EXPORT_ROLES and can_see_business_data(user)


def can_review(user: User) -> bool:
    return getattr(user, "role", None) in REVIEW_ROLES


def can_edit(user: User) -> bool:
    return getattr(user, "role", None) in EDIT_ROLES


def can_spot_check(user: User) -> bool:
    """May draw, assign and close spot checks (scope is checked per police unit and item)."""
    return getattr(user, "role", None) in SPOT_CHECK_ROLES and can_see_business_data(user)


def sees_spot_checks(user: User) -> bool:
    """May see spot checks (in jurisdiction) and be assigned one to check."""
    return getattr(user, "role", None) in SPOT_CHECKER_ROLES and can_see_business_data(user)


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
