"""Serve Tingwu with uvicorn (ASGI: Server-Sent Events for the display board need an async server)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tingwu over ASGI (uvicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--reload", action="store_true")

    def handle(self, *args, host, port, workers, reload, **options):
        import uvicorn

        uvicorn.run(
            "tingwu.asgi:application",
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_level="info",
            # Let uvicorn's loggers (incl. the access log) go through Django's LOGGING, whose filter masks phone
            # and ID numbers and device tokens (a display is paired once through a URL carrying its token).
            log_config=None,
            timeout_graceful_shutdown=5,
        )
