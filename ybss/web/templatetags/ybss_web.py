"""Template helpers: field labels and values (with masking), code labels, status badges."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.utils import formats, numberformat
from django.utils.html import format_html

from ybss.core import codes
from ybss.org import jurisdiction

from .. import display

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def value(context: template.Context, record: Model, name: str) -> str:
    """``{% value person "phone" %}``: the field as the current user may see it."""
    return display.record_value(_user(context), record, name)


@register.simple_tag
def label(record: Model, name: str) -> str:
    """``{% label person "phone" %}``: the field's translated verbose name."""
    return display.field_label(type(record), name)


@register.simple_tag(takes_context=True)
def row(context: template.Context, record: Model, name: str, label: str = "") -> str:
    """``{% row person "phone" %}``: one ``<div><dt>label</dt><dd>value</dd></div>`` of a details list.

    ``label`` overrides the model's verbose name where the page needs a clearer one.
    """
    return format_html(
        '<div class="kv"><dt>{}</dt><dd>{}</dd></div>',
        label or display.field_label(type(record), name),
        display.record_value(_user(context), record, name),
    )


@register.simple_tag(takes_context=True)
def show_id(context: template.Context, number: str | None) -> str:
    return jurisdiction.show_id_number(_user(context), number) or display.EMPTY


@register.simple_tag(takes_context=True)
def show_phone(context: template.Context, number: str | None) -> str:
    return jurisdiction.show_phone(_user(context), number) or display.EMPTY


@register.filter
def code_label(code: str | None, slug: str) -> str:
    """``{{ person.sex|code_label:"sex" }}``."""
    return codes.label(slug, code) or display.EMPTY


@register.simple_tag
def status_badge(record: Model) -> str:
    status = getattr(record, "status", "")
    return format_html(
        '<span class="badge badge-{}">{}</span>',
        status,
        record.get_status_display(),  # type: ignore[attr-defined]
    )


@register.filter
def thousands(value_: Any) -> str:
    """``{{ count|thousands }}``: a whole number in groups of three, 12,345,678.

    Django's zh-Hans format sets no thousands separator (so ``intcomma`` prints 12345678 there);
    Chinese statistics and bulletins write 12,345,678, so a locale without a separator gets a
    comma. A locale with its own (de: 12.345.678) keeps it. Anything not a number is left as is.
    """
    try:
        number = int(value_)
    except (TypeError, ValueError):
        return "" if value_ is None else str(value_)
    return numberformat.format(
        number,
        decimal_sep=str(formats.get_format("DECIMAL_SEPARATOR")),
        decimal_pos=0,
        grouping=3,
        thousand_sep=str(formats.get_format("THOUSAND_SEPARATOR")) or ",",
        force_grouping=True,
    )


@register.filter
def plain(value_: Any) -> str:
    """Any value as display text (dates, booleans, empty → —)."""
    return display.format_plain(value_)


@register.filter
def role_label(role: str | None) -> str:
    """``{{ event.role|role_label }}``: the translated role name of a stored role code."""
    from ybss.org.models import Role

    if not role:
        return display.EMPTY
    try:
        return str(Role(role).label)
    except ValueError:
        return role


@register.filter
def object_type_label(label: str | None) -> str:
    """``{{ event.object_type|object_type_label }}``: ``registry.person`` → 人员."""
    from ..forms.filters import object_type_label as to_label

    return to_label(label) if label else display.EMPTY


@register.filter
def as_json(value: Any) -> str:
    """A JSON value as compact text, Chinese left readable."""
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
