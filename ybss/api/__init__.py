"""The JSON API (django-ninja): routers and schemas per domain, one error body.

The ``NinjaAPI`` instance lives in :mod:`ybss.api.main`, not here: Django imports this package while
it is still loading apps, before models can be imported.
"""
