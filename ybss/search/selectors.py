"""One-box search (一键搜索): persons by ID number (whole, partial, masked), name (exact, near
spelling, traditional, pinyin, initials) and phone, inside the actor's jurisdiction.

Every search states a purpose (``SearchPurpose`` plus a note) and writes an audit event with the
terms' kinds and masked forms — never a whole ID number or phone (DOMAIN.md §10).

How: ``query.parse`` turns the text into terms; ``query.sources`` gives sets of index lookups that
each find every match; the smallest is read from ``PersonKey`` (an index-only range scan),
narrowed to the jurisdiction, and each candidate is checked and scored with ``query.match``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import Forbidden, InvalidInput
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.registry.models import Person, Residence

from . import query
from .models import PersonKey, SearchPurpose

#: Candidates read from the index for one lookup set; more means “add another term”.
CANDIDATE_CAP = 2000
#: A source with at most this many candidates is used without reading the others.
NARROW_ENOUGH = 500
MAX_LIMIT = 100
KINDS = ("person",)

REASONS = {
    "id_exact": _("ID number matches"),
    "id_masked": _("ID number matches the visible digits"),
    "id_suffix": _("Last characters of the ID number match"),
    "id_prefix": _("ID number starts with these digits"),
    "name_exact": _("Same name"),
    "name_former": _("Same former name"),
    "name_variant": _("Same name in traditional or simplified characters"),
    "name_homophone": _("Name sounds the same"),
    "name_part": _("Name contains these characters"),
    "pinyin": _("Pinyin of the name matches"),
    "initials": _("Pinyin initials of the name match"),
    "phone_exact": _("Phone matches"),
    "phone_prefix": _("Phone starts with these digits"),
    "phone_last4": _("Last 4 digits of the phone match"),
    "birth_year": _("Birth year matches"),
}


@dataclass(frozen=True)
class SearchHit:
    pk: int
    title: str
    id_number: str
    phone: str
    birth_date: date | None
    police_unit: str
    score: int
    reasons: tuple[str, ...]
    reason_labels: tuple[str, ...]


@dataclass
class SearchGroup:
    kind: str
    label: str
    hits: list[SearchHit] = field(default_factory=list)
    truncated: bool = False


@dataclass
class SearchResult:
    groups: list[SearchGroup]
    terms: list[dict[str, str]]

    @property
    def total(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def _check_purpose(purpose: str, note: str) -> str:
    purpose = (purpose or "").strip()
    note = (note or "").strip()
    if purpose not in SearchPurpose.values:
        raise InvalidInput(
            code="purpose_required", fields={"purpose": [_("Choose the purpose of this search.")]}
        )
    if purpose == SearchPurpose.OTHER and not note:
        raise InvalidInput(
            code="purpose_required", fields={"purpose_note": [_("Explain the purpose of this search.")]}
        )
    if len(note) > 200:
        raise InvalidInput(fields={"purpose_note": [_("At most 200 characters.")]})
    label = str(SearchPurpose(purpose).label)
    return f"{label}: {note}" if note else label


def _lookup_q(lookups: tuple[query.Lookup, ...]) -> Q:
    q = Q()
    for lk in lookups:
        if lk.prefix:
            # keys looked up by prefix are digits and X: a range is the prefix LIKE that uses the
            # index on SQLite and PostgreSQL alike (cf. jurisdiction.code_range)
            q |= Q(kind=lk.kind, key__range=(lk.key, lk.key + "Z"))
        else:
            q |= Q(kind=lk.kind, key=lk.key)
    return q


def _candidates(sources: list[tuple[query.Lookup, ...]]) -> tuple[list[int], bool]:
    best: list[int] | None = None
    for lookups in sources:
        ids = list(
            PersonKey.objects.filter(_lookup_q(lookups))
            .values_list("person_id", flat=True)
            .distinct()[: CANDIDATE_CAP + 1]
        )
        if best is None or len(ids) < len(best):
            best = ids
        if len(best) <= NARROW_ENOUGH:
            break  # any source finds every match: a small one need not be beaten
    best = best or []
    return best[:CANDIDATE_CAP], len(best) > CANDIDATE_CAP


def _visible(actor: User, ids: list[int]) -> set[int]:
    """The ``ids`` of persons ``actor`` may see: ``jurisdiction.scope``'s rule for persons (stamped
    in jurisdiction, or a current residence there) asked of these ids only, not of the county."""
    if not ids:
        return set()
    q = jurisdiction.jurisdiction_q(actor)
    if q is None:
        return set()
    stamped = set(Person.objects.filter(q, pk__in=ids).values_list("pk", flat=True))
    living = jurisdiction.scope(Residence.objects.filter(person_id__in=ids, active=True), actor)
    return stamped | set(living.values_list("person_id", flat=True))


def _terms_digest(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


def search(
    *,
    actor: User,
    text: str,
    purpose: str,
    purpose_note: str = "",
    kinds: list[str] | None = None,
    limit: int = 20,
    request: HttpRequest | None = None,
    channel: str = "web",
) -> SearchResult:
    """Search persons in ``actor``'s jurisdiction; ranked, grouped by entity, each hit with its
    reasons. InvalidInput on ``purpose`` / ``purpose_note`` / ``q`` / ``kinds``; audited."""
    if not jurisdiction.can_see_business_data(actor):
        raise Forbidden()
    stated = _check_purpose(purpose, purpose_note)
    wanted = list(kinds or KINDS)
    if any(k not in KINDS for k in wanted):
        raise InvalidInput(fields={"kinds": [_("Unknown kind of record.")]})
    terms = query.parse(text or "")
    if not terms:
        raise InvalidInput(
            code="query_required",
            fields={"q": [_("Enter an ID number, a name, its pinyin or a phone number.")]},
        )
    limit = max(1, min(int(limit), MAX_LIMIT))
    groups = [_persons(actor, terms, limit)] if "person" in wanted else []
    shown_terms = query.audit_terms(terms)
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type="search",
        detail={
            "terms": shown_terms,
            "terms_hmac": _terms_digest(" ".join(t.text for t in terms)),
            "kinds": wanted,
            "purpose_code": purpose,
        },
        purpose=stated,
        result_count=sum(len(g.hits) for g in groups),
        request=request,
        channel=channel,
    )
    return SearchResult(groups=groups, terms=shown_terms)


def _persons(actor: User, terms: list[query.Term], limit: int) -> SearchGroup:
    ids, truncated = _candidates(query.sources(terms))
    visible = _visible(actor, ids)
    rows: list[Any] = list(
        Person.objects.filter(pk__in=visible)
        .select_related("police_unit")
        .only(
            "pk",
            "id_number",
            "name",
            "former_names",
            "phone",
            "phone2",
            "birth_date",
            "police_unit__name",
        )
    )
    scored = []
    for p in rows:
        view = query.PersonView(p.id_number, p.name, p.former_names, p.phone, p.phone2, p.birth_date)
        m = query.match(terms, view)
        if m is not None:
            scored.append((m, p))
    scored.sort(key=lambda mp: (-mp[0].score, mp[1].name, mp[1].pk))
    hits = [
        SearchHit(
            pk=p.pk,
            title=p.name,
            id_number=jurisdiction.show_id_number(actor, p.id_number),
            phone=jurisdiction.show_phone(actor, p.phone),
            birth_date=p.birth_date,
            police_unit=p.police_unit.name if p.police_unit_id else "",
            score=m.score,
            reasons=tuple(m.reasons),
            reason_labels=tuple(str(REASONS[r]) for r in m.reasons),
        )
        for m, p in scored[:limit]
    ]
    return SearchGroup(
        kind="person", label=str(_("Persons")), hits=hits, truncated=truncated or len(scored) > limit
    )
