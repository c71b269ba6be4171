"""The ybss JSON API: ``api`` is mounted at ``/api/`` by ``ybss/urls.py``.

* ``/api/openapi.json`` — the schema; ``/api/docs`` — Swagger UI from local static files.
* Auth on every operation: bearer token, then session (``ybss.api.auth``); 401 otherwise.
* One error body everywhere (``ybss.api.errors``), also for unknown ``/api/...`` paths.
* Every operation is marked ``@scoped`` or ``@unscoped(reason)``; :func:`iter_operations` lists
  them all for the URL-walk tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from django.http import HttpRequest
from ninja import NinjaAPI, Router
from ninja.utils import normalize_path

from ybss.core.errors import NotFound

from . import addresses, mapping, me, notices, registry, tokens
from .auth import default_auth
from .docs import LocalSwagger
from .errors import install as install_error_handlers
from .scoping import mark_of, unscoped

api = NinjaAPI(
    title="ybss API",
    version="1",
    description="一标三实: standard addresses, houses, persons and units, scoped to your jurisdiction.",
    urls_namespace="api",
    auth=default_auth,
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

api.add_router("/me", me.router)
api.add_router("/tokens", tokens.router)
api.add_router("/addresses", addresses.router)
api.add_router("/address-parser", addresses.parser_router)
api.add_router("/houses", registry.houses)
api.add_router("/persons", registry.persons)
api.add_router("/units", registry.units)
api.add_router("/notices", notices.router)
api.add_router("/map", mapping.router)
api.add_router("/cleaning", "ybss.api.cleaning.router")
api.add_router("/collection", "ybss.api.collection.router")
api.add_router("/quality", "ybss.api.quality.router")
api.add_router("/supervision/assessment", "ybss.api.supervision_targets.router")
api.add_router("/supervision/rates", "ybss.api.supervision_rates.router")
api.add_router("/supervision/bulletins", "ybss.api.supervision_bulletins.router")
api.add_router("/supervision/spot-checks", "ybss.api.supervision_spotchecks.router")
api.add_router("/search", "ybss.api.search.router")
api.add_router("/lists", "ybss.api.standing.router")
api.add_router("/casework", "ybss.api.casework.router")

# Registered last so that it only catches what no operation above matched.
_fallback = Router()


_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@_fallback.api_operation(_ANY_METHOD, "", auth=None, include_in_schema=False)
@unscoped("answers 404 not_found at the API root; reads nothing")
def root_not_found(request: HttpRequest) -> Any:
    raise NotFound()


@_fallback.api_operation(_ANY_METHOD, "/{path:rest}", auth=None, include_in_schema=False)
@unscoped("answers 404 not_found for unknown /api/ paths; reads nothing")
def not_found(request: HttpRequest, rest: str) -> Any:
    raise NotFound()


api.add_router("", _fallback)


class ApiOperation(NamedTuple):
    method: str
    path: str
    scoped: bool
    reason: str


#: The routes ninja adds itself (not router operations), and why they need no scope.
_BUILTIN_ROUTES = (
    ("GET", "openapi.json", "the API schema; no records"),
    ("GET", "docs", "the API documentation page; no records"),
    ("GET", "", "ninja's API root (shadowed by root_not_found); always 404"),
)


def _root() -> str:
    return api.get_root_path({})


def iter_operations() -> Iterator[ApiOperation]:
    """Every route of the API: method, path (``/api/persons/{pk}``), scoped?, and if not, why.

    An operation without a mark comes out ``scoped=False`` with an empty reason; the test that
    walks this list fails on it.
    """
    root = _root()
    for method, path, reason in _BUILTIN_ROUTES:
        yield ApiOperation(method, root + path, False, reason)
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            route = normalize_path("/".join(p for p in (bound.prefix, path) if p)).lstrip("/")
            full = root + route
            for operation in path_view.operations:
                mark = mark_of(operation.view_func)
                for method in operation.methods:
                    yield ApiOperation(
                        method,
                        full,
                        bool(mark and mark.scoped),
                        mark.reason if mark else "",
                    )
