"""Helpers every page shares: the scope declaration, access guards, pagination."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ybss.core.errors import Forbidden
from ybss.org import jurisdiction
from ybss.org.models import User

PER_PAGE = 50

F = TypeVar("F", bound=Callable[..., Any])


def actor_of(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required``."""
    return cast(User, request.user)


def scoped(view: F) -> F:
    """Declare that ``view`` reads business data only through jurisdiction-scoped selectors."""
    view.ybss_scope = "jurisdiction"  # type: ignore[attr-defined]
    return view


def not_scoped(reason: str) -> Callable[[F], F]:
    """Declare why ``view`` needs no jurisdiction scope (it shows no business data)."""

    def mark(view: F) -> F:
        view.ybss_scope = reason  # type: ignore[attr-defined]
        return view

    return mark


def require_business_access(request: HttpRequest) -> None:
    """Forbidden for users who may see no business data (the auditor; a user with no jurisdiction)."""
    if not jurisdiction.can_see_business_data(actor_of(request)):
        raise Forbidden(
            gettext_lazy("Your account has no access to these records (role or jurisdiction not assigned).")
        )


@dataclass
class Paged:
    page: Page
    notice: str = ""


def paginate(request: HttpRequest, qs: QuerySet[Any] | list[Any], per_page: int = PER_PAGE) -> Paged:
    """The requested page of ``qs``. A bad or out-of-range ``page`` parameter never fails: the
    nearest valid page is shown with a notice saying so."""
    paginator = Paginator(qs, per_page)
    raw = request.GET.get("page", "")
    notice = ""
    number = 1
    if raw:
        try:
            number = int(raw)
            if number < 1:
                raise ValueError
        except ValueError:
            notice = _("“%(page)s” is not a page number; showing the first page.") % {"page": raw[:20]}
            number = 1
    if number > paginator.num_pages:
        notice = _("There is no page %(page)s; showing the last page.") % {"page": number}
        number = paginator.num_pages
    return Paged(paginator.page(number), notice)
