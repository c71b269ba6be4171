"""WSGI entry point (waitress in `ybss serve`, any WSGI server in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ybss.settings.dev")
application = get_wsgi_application()
