"""The collector's phone app (入户采集) under ``m/`` (namespace ``web:collect``): an installable,
offline-first page whose scripts live in ``static/web/collect/``.

* ``shell`` (``/m/``): the app page. ``@scoped``: it holds no records itself (only the signed-in
  user's name); the records come through the scoped ``/api/collection/`` operations.
* ``service_worker`` (``/m/sw.js``) and ``manifest`` (``/m/manifest.webmanifest``): no data at all,
  and no sign-in needed (browsers fetch both without asking the user, the manifest without cookies).

The service worker's cache is named after a hash of the app's static files and templates
(:func:`app_version`), so a new deployment replaces every cached file at once and an unchanged one
keeps working offline.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET

from ybss.registry.rules import MIN_AGE_BY_ROLE, ROLE_LABELS

from ..context import jurisdiction_name
from .common import actor_of, not_scoped, require_business_access, scoped

WEB_DIR = Path(__file__).resolve().parents[1]
STATIC_DIR = WEB_DIR / "static" / "web" / "collect"
TEMPLATE_DIR = WEB_DIR / "templates" / "web" / "collect"
#: The app's scope: the service worker controls pages under it.
SCOPE = "/m/"
API = "/api/collection"

#: Everything the scripts show, by English msgid (the scripts call ``t("...")`` with these).
TEXTS = (
    gettext_noop("Online"),
    gettext_noop("Offline"),
    gettext_noop("No server"),
    gettext_noop("Sync"),
    gettext_noop("Syncing…"),
    gettext_noop("Sending…"),
    gettext_noop("Sync now"),
    gettext_noop("Your sign-in has expired: sign in again and the outbox will be sent."),
    gettext_noop("The server could not be reached; trying again automatically."),
    gettext_noop("Offline: the outbox is sent automatically when the phone is online again."),
    gettext_noop("Waiting to send."),
    gettext_noop("Everything has been sent (%(time)s)."),
    gettext_noop("Nothing waiting to be sent."),
    gettext_noop("Today"),
    gettext_noop("Loading the working set…"),
    gettext_noop("The working set has not been downloaded yet. Connect to the network once to start."),
    gettext_noop("%(n)s visits"),
    gettext_noop("Waiting to send"),
    gettext_noop("%(left)s households left of %(total)s"),
    gettext_noop("In the order of today's plan."),
    gettext_noop("In task order."),
    gettext_noop("Visit at %(time)s"),
    gettext_noop("Appointment agreed"),
    gettext_noop("Data from %(time)s."),
    gettext_noop("No households left. Well done."),
    gettext_noop("Finished (%(n)s)"),
    gettext_noop("New door plate"),
    gettext_noop("Offline: showing the saved data."),
    gettext_noop("Data updated."),
    gettext_noop("Refresh data"),
    gettext_noop("Light / dark"),
    gettext_noop("Desktop version"),
    gettext_noop(
        "%(n)s entries are still waiting to be sent. They stay on this phone and are sent after you "
        "sign in again. Sign out?"
    ),
    gettext_noop("Sign out"),
    gettext_noop("This household is not in your working set."),
    gettext_noop("Last: %(outcome)s"),
    gettext_noop("House"),
    gettext_noop("No one registered yet."),
    gettext_noop("Collect this household"),
    gettext_noop("Or record the visit outcome"),
    gettext_noop("%(n)s floors"),
    gettext_noop("Locating…"),
    gettext_noop("Location ±%(m)s m"),
    gettext_noop("No location (you can still save)"),
    gettext_noop("When is this household usually at home?"),
    gettext_noop("Appointment slip"),
    gettext_noop("Leave a slip; the system proposes the time"),
    gettext_noop("Leave a slip with a time agreed with the resident"),
    gettext_noop("No slip"),
    gettext_noop("Date"),
    gettext_noop("Time from"),
    gettext_noop("Time to"),
    gettext_noop("Note (optional)"),
    gettext_noop("Cancel"),
    gettext_noop("Save to outbox"),
    gettext_noop("The end must be after the start."),
    gettext_noop("Saved. It will be sent when online."),
    gettext_noop("Correct and send again"),
    gettext_noop("Returned by the reviewer: %(reason)s"),
    gettext_noop("Discard this form? What you typed is lost."),
    gettext_noop("This file is not a photo the phone can read."),
    gettext_noop("Please correct the fields marked in red."),
    gettext_noop("%(road)s No. %(number)s"),
    gettext_noop(", unit %(unit)s room %(room)s"),
    gettext_noop(", room %(room)s"),
    gettext_noop("Needs correcting"),
    gettext_noop("Refused by the server"),
    gettext_noop("Submitted"),
    gettext_noop("Conflict"),
    gettext_noop("Awaiting review"),
    gettext_noop("Conflict: waiting for the officer"),
    gettext_noop("Passed"),
    gettext_noop("Returned"),
    gettext_noop("Voided as duplicate"),
    gettext_noop("Applied"),
    gettext_noop("Household collection"),
    gettext_noop("%(n)s people"),
    gettext_noop("Outbox"),
    gettext_noop("saved %(time)s"),
    gettext_noop("%(n)s photos"),
    gettext_noop("%(n)s tries"),
    gettext_noop("The server found mistakes: correct them and save again."),
    gettext_noop("Correct"),
    gettext_noop("Delete this entry from the phone?"),
    gettext_noop("Delete"),
    gettext_noop("The outbox is empty."),
    gettext_noop("The review state is updated whenever the phone is online."),
    gettext_noop(
        "Someone changed this record since your data was downloaded. The officer will compare and "
        "decide (待民警处理)."
    ),
    gettext_noop("Review: %(state)s"),
    gettext_noop("Reason: %(reason)s"),
    gettext_noop("Appointment slip %(number)s"),
    gettext_noop("Open the slip"),
    gettext_noop("Nothing submitted yet."),
    gettext_noop("Something went wrong on this screen."),
    # forms.js
    gettext_noop("Door plate"),
    gettext_noop("Check the plate on the wall matches; take a photo of it below."),
    gettext_noop("Unit (单元)"),
    gettext_noop("Floor"),
    gettext_noop("Room number"),
    gettext_noop("Street or villager group"),
    gettext_noop("Door number"),
    gettext_noop("Sub-number (附号)"),
    gettext_noop("Building"),
    gettext_noop("Common name (optional)"),
    gettext_noop("Households at this door plate"),
    gettext_noop("One household (courtyard or single house)"),
    gettext_noop("A room in a building"),
    gettext_noop("Door plate photo"),
    gettext_noop("Photo"),
    gettext_noop("Remove photo"),
    gettext_noop("Photos of the door plate"),
    gettext_noop("Take a photo"),
    gettext_noop("The house details have changed"),
    gettext_noop("Person %(n)s"),
    gettext_noop("House type"),
    gettext_noop("Use"),
    gettext_noop("Structure"),
    gettext_noop("Ownership"),
    gettext_noop("Floors"),
    gettext_noop("Rooms"),
    gettext_noop("Area (m²)"),
    gettext_noop("Rental mode"),
    gettext_noop("Landlord"),
    gettext_noop("Only a person already registered can be named as the landlord."),
    gettext_noop("Community or village"),
    gettext_noop("Owner"),
    gettext_noop("Owner name"),
    gettext_noop("Owner ID number"),
    gettext_noop("Owner phone"),
    gettext_noop("Remove this person"),
    gettext_noop("Name"),
    gettext_noop("ID number"),
    gettext_noop("Sex"),
    gettext_noop("Birth date"),
    gettext_noop("Ethnicity"),
    gettext_noop("Mobile or phone"),
    gettext_noop("Residence type"),
    gettext_noop("Relation to householder"),
    gettext_noop("Hukou division code"),
    gettext_noop("Filled in from the ID number; change it if the hukou has moved."),
    gettext_noop("Hukou address"),
    gettext_noop("More"),
    gettext_noop("Document type"),
    gettext_noop("Reason for living here"),
    gettext_noop("Living here since"),
    gettext_noop("Education"),
    gettext_noop("Marital status"),
    gettext_noop("Occupation"),
    gettext_noop("Employer"),
    gettext_noop("People living here"),
    gettext_noop("Already registered:"),
    gettext_noop("Add a person"),
    gettext_noop("Note"),
    gettext_noop("Note for the reviewer (optional)"),
    gettext_noop("Units at this address"),
    gettext_noop("Shops, companies or workshops here, if any."),
    gettext_noop("Add a unit"),
    gettext_noop("Unit %(n)s"),
    gettext_noop("Remove this unit"),
    gettext_noop("Unit name"),
    gettext_noop("Category"),
    gettext_noop("Unified social credit code"),
    gettext_noop("Special trade"),
    gettext_noop("Legal representative"),
    gettext_noop("Legal representative's ID number"),
    gettext_noop("Legal representative's phone"),
    gettext_noop("Unit phone"),
)

#: validate.js error codes → messages. The identifier and registry codes reuse the server's
#: messages word for word (ybss.core.identifiers, ybss.registry.validation / rules,
#: ybss.addresses.services), so the phone and the server say the same thing.
ERRORS: dict[str, Any] = {
    "required": gettext_lazy("This field is required."),
    "max_length": gettext_lazy("Ensure this value has at most %(n)d characters."),
    "choice": gettext_lazy("“%(value)s” is not a valid choice."),
    "date": gettext_lazy("Enter a valid date."),
    "date_future": gettext_lazy("The date cannot be in the future."),
    "range": gettext_lazy("Enter a value between %(lo)s and %(hi)s."),
    "integer": gettext_lazy("Enter a whole number."),
    "number": gettext_lazy("Enter a number."),
    "id.empty": gettext_lazy("Enter the ID number."),
    "id.format": gettext_lazy("An ID number has 18 characters: 17 digits and a final digit or X."),
    "id.birth_date": gettext_lazy("The birth date in the ID number is not a real date."),
    "id.birth_future": gettext_lazy("The birth date in the ID number is in the future."),
    "id.birth_too_old": gettext_lazy("The birth date in the ID number is before 1890."),
    "id.checksum": gettext_lazy("The ID number's check character is wrong; please check the number."),
    "id.sex_mismatch": gettext_lazy("The sex does not match the ID number."),
    "id.birth_mismatch": gettext_lazy("The birth date does not match the ID number."),
    "phone.format": gettext_lazy("Enter an 11-digit mobile number or a landline number with its area code."),
    "phone.mobile_format": gettext_lazy("A mobile number has 11 digits starting with 1."),
    "phone.landline_format": gettext_lazy("A landline number needs its area code, e.g. 0913-5512345."),
    "hukou.format": gettext_lazy("Enter a 6-, 9- or 12-digit division code."),
    "hukou.required": gettext_lazy("This residence type needs the registered domicile division code."),
    "nationality.required": gettext_lazy("A passport holder needs a nationality."),
    "residence.permanent_needs_county_hukou": gettext_lazy(
        "A permanent resident must have a hukou in this county."
    ),
    "residence.lodging_needs_county_hukou": gettext_lazy(
        "A lodging resident must have a hukou in this county."
    ),
    "residence.floating_needs_outside_hukou": gettext_lazy(
        "A floating resident must have a hukou outside this county."
    ),
    "age.birth_future": gettext_lazy("The birth date is in the future."),
    "age.too_young_for_role": format_lazy(
        gettext_lazy("Too young to be the {role}: the minimum age is {min_age}."),
        role=ROLE_LABELS["householder"],
        min_age=MIN_AGE_BY_ROLE["householder"],
    ),
    "house.rental_without_landlord": gettext_lazy("A rented house needs a landlord."),
    "house.rental_mode_required": gettext_lazy("A rented house needs its rental mode."),
    "credit.empty": gettext_lazy("Enter the unified social credit code."),
    "credit.format": gettext_lazy(
        "A unified social credit code has 18 digits or capital letters (no I, O, S, V or Z)."
    ),
    "age.too_young_legal_rep": format_lazy(
        gettext_lazy("Too young to be the {role}: the minimum age is {min_age}."),
        role=ROLE_LABELS["legal_rep"],
        min_age=MIN_AGE_BY_ROLE["legal_rep"],
    ),
    "age.too_young_security_lead": format_lazy(
        gettext_lazy("Too young to be the {role}: the minimum age is {min_age}."),
        role=ROLE_LABELS["security_lead"],
        min_age=MIN_AGE_BY_ROLE["security_lead"],
    ),
    "date_order": gettext_lazy("The end date is before the start date."),
    "door.number_format": gettext_lazy("Enter the door number as digits, e.g. 18."),
    "room.unit_format": gettext_lazy("Enter the unit as digits or letters, e.g. 2."),
    "room.no_format": gettext_lazy("Enter the room number, e.g. 501."),
}


def _files() -> list[Path]:
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file() and not p.name.startswith("."))


def _compute_version() -> str:
    digest = hashlib.sha256()
    for path in [*_files(), *sorted(TEMPLATE_DIR.glob("*"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_cached_version = cache(_compute_version)


def app_version() -> str:
    """A hash of the app's static files and templates: names the service worker's cache.

    Computed once per process (files do not change under a running server), except with DEBUG,
    where an edited file must reach the phone on the next load.
    """
    return _compute_version() if settings.DEBUG else _cached_version()


def precache_urls() -> list[str]:
    """What the service worker stores at install: every file of the app and the manifest."""
    urls = [static(f"web/collect/{p.relative_to(STATIC_DIR).as_posix()}") for p in _files()]
    return [*urls, reverse("web:collect:manifest")]


def _texts() -> dict[str, str]:
    out = {str(msgid): _(msgid) for msgid in TEXTS}
    out.update({f"err.{code}": str(message) for code, message in ERRORS.items()})
    return out


@login_required
@scoped
@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    """入户采集: the app page; its data comes from the scoped collection API."""
    require_business_access(request)
    user = actor_of(request)
    config = {
        "userId": user.pk,
        "userName": user.display_name,
        "appVersion": app_version()[:12],
        "countyCode": settings.YBSS_COUNTY_CODE,
        "csrfToken": get_token(request),
        "sw": reverse("web:collect:sw"),
        "scope": SCOPE,
        "api": {
            "bootstrap": f"{API}/bootstrap",
            "work": f"{API}/work",
            "plan": f"{API}/plan",
            "sync": f"{API}/sync",
            "submissions": f"{API}/submissions",
            "photos": f"{API}/photos",
        },
        "urls": {"home": reverse("web:home"), "logout": reverse("web:logout"), "login": reverse("web:login")},
    }
    context = {
        "config": config,
        "texts": _texts(),
        "user_name": user.display_name,
        "jurisdiction": jurisdiction_name(user),
    }
    response = render(request, "web/collect/app.html", context)
    response["Cache-Control"] = "no-cache, private"
    return response


@not_scoped("the service worker script: code, no data")
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with its cache named by :func:`app_version` and the files to keep."""
    body = render_to_string(
        "web/collect/sw.js",
        {
            "version": app_version(),
            "precache": json.dumps(precache_urls()),
            "shell": reverse("web:collect:shell"),
            "scope": SCOPE,
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@not_scoped("the web app manifest: names and icons, no data")
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest that makes /m/ installable on the phone's home screen."""
    data = {
        "id": SCOPE,
        "name": _("One Standard, Three Actuals · field collection"),
        "short_name": _("Field collection"),
        "description": _("Door-to-door collection of addresses, houses and people, online or offline."),
        "lang": "zh-Hans",
        "start_url": reverse("web:collect:shell"),
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#0b1220",
        "theme_color": "#0b1220",
        "icons": [
            {"src": static("web/collect/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("web/collect/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("web/collect/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response
