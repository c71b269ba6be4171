"""One-box search (一键搜索): persons by ID number (whole, partial, masked), name (exact, near
spelling, traditional, pinyin, initials) and phone; units (实有单位) by credit code (whole, start or
end) and name; standard addresses by a fragment of their name — inside the actor's jurisdiction,
grouped by entity (``kinds``: person, unit, address; all by default).

Every search states a purpose (``SearchPurpose`` plus a note) and writes an audit event with the
terms' kinds and masked forms — never a whole ID number or phone (DOMAIN.md §10).

How: ``query.parse`` turns the text into terms; ``query.sources`` gives sets of index lookups that
each find every match; the smallest is read from ``PersonKey`` (an index-only range scan),
narrowed to the jurisdiction, and each candidate is checked and scored with ``query.match``.
Units: one scoped query (a county has a few hundred), checked with ``places.unit_match``.
Addresses: ``places.address_terms`` reads the fragments; the most selective one's trigram keys
are read from ``AddressKey`` (counted with a cap first, the rarest few intersected), the
candidates narrowed to the jurisdiction and to live addresses, then checked on their names with
``places.address_match`` and ranked by score, then shorter names.
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

from ybss.addresses.models import StandardAddress
from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import Forbidden, InvalidInput
from ybss.core.models import RecordStatus
from ybss.org import jurisdiction
from ybss.org.models import AdminDivision, DivisionLevel, User
from ybss.registry.models import Person, Residence, Unit

from . import places, query
from .models import AddressKey, PersonKey, SearchPurpose

#: Candidates read from the index for one lookup set; more means “add another term”.
CANDIDATE_CAP = 2000
#: A source with at most this many candidates is used without reading the others.
NARROW_ENOUGH = 500
MAX_LIMIT = 100
KINDS = ("person", "unit", "address")
#: Address keys are counted up to this many rows to find the rarest; keys this common are not
#: intersected (reading their postings would cost more than checking the candidates).
ADDRESS_COUNT_CAP = 5000
#: Units read for one search at most (a county has about 900).
UNIT_CAP = 2000

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
    "credit_exact": _("Credit code matches"),
    "credit_prefix": _("Credit code starts with these characters"),
    "credit_suffix": _("Credit code ends with these characters"),
    "unit_name_exact": _("Same unit name"),
    "unit_name_part": _("Unit name contains these characters"),
    "legal_rep": _("Legal representative's name matches"),
    "address_standard": _("Address contains this fragment in standard form"),
    "address_part": _("Address contains these characters"),
}


@dataclass(frozen=True)
class SearchHit:
    """One record found. Persons fill ``id_number`` (masked by role), ``phone``, ``birth_date``;
    units ``credit_code`` and ``address``; addresses ``status`` and ``level``."""

    pk: int
    title: str
    police_unit: str
    score: int
    reasons: tuple[str, ...]
    reason_labels: tuple[str, ...]
    kind: str = "person"
    id_number: str = ""
    phone: str = ""
    birth_date: date | None = None
    credit_code: str = ""
    address: str = ""
    status: str = ""
    level: str = ""


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


def county_chain() -> list[str]:
    """The names of the province, city and county above every address (dropped from address
    names before indexing and from address fragments before looking them up)."""
    rows = AdminDivision.objects.filter(level__lte=DivisionLevel.COUNTY).order_by("level", "code")
    return list(dict.fromkeys(rows.values_list("name", flat=True)))


def _standard_form(text: str) -> str:
    """An address fragment in the address parser's standard form ("" when it cannot be read)."""
    from ybss.addresses.parsing.normalise import normalise

    try:
        return normalise(text)
    except Exception:  # a fragment the parser cannot read is still searched as typed
        return ""


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
    wanted = list(dict.fromkeys(k.strip() for k in (kinds or KINDS) if k and k.strip())) or list(KINDS)
    if any(k not in KINDS for k in wanted):
        raise InvalidInput(fields={"kinds": [_("Unknown kind of record.")]})
    terms = query.parse(text or "") if "person" in wanted else []
    unit_terms = (
        [t for t in places.unit_terms(text or "") if t.kind != "unit_name" or len(t.name) >= 2]
        if "unit" in wanted
        else []
    )
    chain = county_chain() if "address" in wanted else []
    address_terms = places.address_terms(text or "", chain, _standard_form) if "address" in wanted else []
    if not (terms or unit_terms or address_terms):
        raise InvalidInput(
            code="query_required",
            fields={
                "q": [_("Enter an ID number, a name, a phone, a unit name or credit code, or an address.")]
            },
        )
    limit = max(1, min(int(limit), MAX_LIMIT))
    groups: list[SearchGroup] = []
    searched: list[str] = []
    for kind in KINDS:
        if kind not in wanted:
            continue
        if kind == "person":
            groups.append(_persons(actor, terms, limit) if terms else _empty("person"))
            searched += ["person"] if terms else []
        elif kind == "unit":
            groups.append(_units(actor, unit_terms, limit) if unit_terms else _empty("unit"))
            searched += ["unit"] if unit_terms else []
        else:
            groups.append(
                _addresses(actor, address_terms, chain, limit) if address_terms else _empty("address")
            )
            searched += ["address"] if address_terms else []
    shown_terms = query.audit_terms(terms) + places.audit_terms(unit_terms, address_terms)
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type="search",
        detail={
            "terms": shown_terms,
            "terms_hmac": _terms_digest(" ".join(places.words(text or ""))),
            "kinds": wanted,
            "searched": searched,
            "counts": {g.kind: len(g.hits) for g in groups},
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
        kind="person",
        label=str(GROUP_LABELS["person"]),
        hits=hits,
        truncated=truncated or len(scored) > limit,
    )


GROUP_LABELS = {"person": _("Persons"), "unit": _("Units"), "address": _("Addresses")}


def _empty(kind: str) -> SearchGroup:
    return SearchGroup(kind=kind, label=str(GROUP_LABELS[kind]))


def _labels(reasons: list[str]) -> tuple[str, ...]:
    return tuple(str(REASONS[r]) for r in reasons)


def _units(actor: User, terms: list[places.UnitTerm], limit: int) -> SearchGroup:
    """Units matching every term: one scoped query (credit code equal, in a range for its start,
    LIKE for its end or a name fragment), checked and scored in Python."""
    q = Q()
    for t in terms:
        if t.kind == "credit_full":
            q &= Q(credit_code=t.text)
        elif t.kind == "credit_part":
            q &= Q(credit_code__range=(t.text, t.text + "~")) | Q(credit_code__endswith=t.text)
        else:
            q &= Q(name__contains=t.name) | Q(name__contains=t.text) | Q(legal_rep_name=t.name)
    qs = jurisdiction.scope(Unit.objects.filter(q).exclude(status=RecordStatus.VOIDED), actor)
    rows: list[Any] = list(
        qs.select_related("police_unit", "address")
        .only(
            "pk", "name", "credit_code", "legal_rep_name", "status", "police_unit__name", "address__full_name"
        )
        .order_by("pk")[: UNIT_CAP + 1]
    )
    scored = []
    for u in rows[:UNIT_CAP]:
        m = places.unit_match(terms, places.UnitView(u.name, u.credit_code, u.legal_rep_name))
        if m is not None:
            scored.append((m, u))
    scored.sort(key=lambda mu: (-mu[0].score, len(mu[1].name), mu[1].pk))
    hits = [
        SearchHit(
            kind="unit",
            pk=u.pk,
            title=u.name,
            credit_code=u.credit_code,
            address=u.address.full_name if u.address_id else "",
            status=str(RecordStatus(u.status).label) if u.status in RecordStatus.values else u.status,
            police_unit=u.police_unit.name if u.police_unit_id else "",
            score=m.score,
            reasons=tuple(m.reasons),
            reason_labels=_labels(m.reasons),
        )
        for m, u in scored[:limit]
    ]
    return SearchGroup(
        kind="unit",
        label=str(GROUP_LABELS["unit"]),
        hits=hits,
        truncated=len(rows) > UNIT_CAP or len(scored) > limit,
    )


def _akey_q(pair: str, nxt: str | None) -> Q:
    return Q(pair=pair) if nxt is None else Q(pair=pair, next=nxt)


def _akey_count(pair: str, nxt: str | None) -> int:
    return AddressKey.objects.filter(_akey_q(pair, nxt)).values("address_id")[:ADDRESS_COUNT_CAP].count()


def _address_candidates(terms: list[places.AddressTerm]) -> tuple[list[int], bool]:
    """Address ids that may match every term: the term whose forms have the rarest keys; for
    each of its forms, the postings of its (up to 3) rarest keys intersected."""
    best: tuple[int, list[list[tuple[tuple[str, str | None], int]]]] | None = None
    for term in terms:
        forms = []
        cost = 0
        for form in term.forms:
            counted = sorted(((k, _akey_count(*k)) for k in places.lookups(form)), key=lambda kc: kc[1])
            forms.append(counted)
            cost += counted[0][1] if counted else 0
        if best is None or cost < best[0]:
            best = (cost, forms)
        if cost <= NARROW_ENOUGH:
            break
    ids: set[int] = set()
    truncated = False
    for counted in best[1] if best else []:
        if not counted:
            continue
        chosen = [k for k, n in counted[:3] if n < ADDRESS_COUNT_CAP] or [counted[0][0]]
        qs = AddressKey.objects.filter(_akey_q(*chosen[0])).values_list("address_id", flat=True)
        for key in chosen[1:]:
            qs = qs.intersection(
                AddressKey.objects.filter(_akey_q(*key)).values_list("address_id", flat=True)
            )
        found = list(qs[: CANDIDATE_CAP + 1])
        truncated = truncated or len(found) > CANDIDATE_CAP
        ids.update(found[:CANDIDATE_CAP])
    return sorted(ids), truncated


def _addresses(actor: User, terms: list[places.AddressTerm], chain: list[str], limit: int) -> SearchGroup:
    ids, truncated = _address_candidates(terms)
    rows: list[tuple[int, str]] = []
    if ids:
        live = StandardAddress.objects.filter(pk__in=ids, merged_into__isnull=True).exclude(
            status=RecordStatus.VOIDED
        )
        rows = list(jurisdiction.scope(live, actor).values_list("pk", "full_name"))
    scored = []
    for pk, name in rows:
        m = places.address_match(terms, places.stored_tail(name, chain))
        if m is not None:
            scored.append((m, pk, name))
    scored.sort(key=lambda mpn: (-mpn[0].score, len(mpn[2]), mpn[1]))
    top = {
        a.pk: a
        for a in StandardAddress.objects.filter(pk__in=[pk for _, pk, _ in scored[:limit]])
        .select_related("police_unit")
        .only("pk", "full_name", "status", "level", "police_unit__name")
    }
    found = [(m, top[pk]) for m, pk, _ in scored[:limit] if pk in top]
    hits = [
        SearchHit(
            kind="address",
            pk=a.pk,
            title=a.full_name,
            status=str(RecordStatus(a.status).label) if a.status in RecordStatus.values else a.status,
            level=str(a.get_level_display()),
            police_unit=a.police_unit.name if a.police_unit_id else "",
            score=m.score,
            reasons=tuple(m.reasons),
            reason_labels=_labels(m.reasons),
        )
        for m, a in found
    ]
    return SearchGroup(
        kind="address",
        label=str(GROUP_LABELS["address"]),
        hits=hits,
        truncated=truncated or len(scored) > limit,
    )
