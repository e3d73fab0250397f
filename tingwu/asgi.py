"""ASGI entry point (uvicorn in production): the display board's Server-Sent Events need an async server."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
application = get_asgi_application()
