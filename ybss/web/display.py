"""How a stored value is shown to a user: labels for choices and code lists, masked identifiers.

The one place the pages turn a field value into text, so an ID number or a phone never reaches a
page unmasked for a role that should not see it (DOMAIN.md §10). Export files are masked the same
way by ``transfer.exporting`` (through ``jurisdiction.show_id_number`` / ``show_phone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ybss.audit.models import HistoryAction, RecordHistory
from ybss.audit.services import history_for
from ybss.core import codes
from ybss.org import jurisdiction
from ybss.org.models import User

EMPTY = "—"


def is_id_field(name: str) -> bool:
    return name == "id_number" or name.endswith("_id_number")


def is_phone_field(name: str) -> bool:
    return name == "phone" or name.startswith("phone") or name.endswith("_phone")


def codelist_of(field: models.Field[Any, Any]) -> str:
    """The code-list slug a coded field names in its help text (``codelist: sex``), or ''."""
    text = str(field.help_text or "")
    return text.split(":", 1)[1].strip() if text.startswith("codelist:") else ""


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        if name.endswith("_id"):
            return _field(model, name[:-3])
        return None
    return field if isinstance(field, models.Field) else None


def field_label(model: type[models.Model], name: str) -> str:
    field = _field(model, name)
    return str(field.verbose_name) if field is not None else name


def format_plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def field_value(user: User, model: type[models.Model], name: str, value: Any) -> str:
    """``value`` of field ``name`` of ``model`` as ``user`` may see it, in the current language."""
    if value is None or value == "" or value == []:
        return EMPTY
    if is_id_field(name):
        return jurisdiction.show_id_number(user, str(value))
    if is_phone_field(name):
        return jurisdiction.show_phone(user, str(value))
    field = _field(model, name)
    if field is None:
        return format_plain(value)
    if isinstance(value, int) and isinstance(field, models.ForeignKey) and field.related_model is User:
        return _user_name(value)
    slug = codelist_of(field)
    if slug:
        if isinstance(value, list):
            # Translators: separator between the items of a list of values ("、" in Chinese).
            return str(_(", ")).join(codes.label(slug, str(v)) for v in value) or EMPTY
        return codes.label(slug, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = _parse_datetime(value)
        return format_plain(parsed) if parsed else value
    return format_plain(value)


def _user_name(pk: int) -> str:
    """A user id kept in a history row (``verified_by_id``) shown as the user's name. Users are staff,
    not residents, so naming them discloses no business data."""
    user = User.objects.filter(pk=pk).only("username", "full_name").first()
    return user.display_name if user is not None else str(pk)


def _parse_datetime(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def record_value(user: User, record: models.Model, name: str) -> str:
    """The value of ``record.name`` shown for ``user``."""
    return field_value(user, type(record), name, getattr(record, name))


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    action_code: str
    version: int
    reason: str
    changes: tuple[Change, ...]


def _entry(user: User, model: type[models.Model], row: RecordHistory) -> TimelineEntry:
    changes = []
    for name, pair in (row.changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list | tuple) else (None, pair)
        changes.append(
            Change(
                field_label(model, name),
                field_value(user, model, name, old),
                field_value(user, model, name, new),
            )
        )
    actor = row.actor.display_name if row.actor else str(_("System"))
    action = str(dict(HistoryAction.choices).get(row.action, row.action))
    return TimelineEntry(row.at, actor, action, row.action, row.version, row.reason, tuple(changes))


def timeline(user: User, record: models.Model) -> list[TimelineEntry]:
    """The history of ``record`` (already fetched in scope) newest first, values shown for ``user``."""
    return [_entry(user, type(record), row) for row in reversed(history_for(record))]
