"""The JSON API (django-ninja): routers and schemas per domain, one error body.

The ``NinjaAPI`` instance lives in :mod:`ybss.api.main`, not here: Django imports this package while
it is still loading apps, before models can be imported.
"""


def __getattr__(name: str) -> object:
    """``from ybss.api import api, iter_operations`` once Django is set up."""
    if name in ("api", "iter_operations"):
        from . import main

        return getattr(main, name)
    raise AttributeError(name)
