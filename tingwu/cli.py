"""The ``tingwu`` console script: thin wrappers over management commands.

tingwu serve [--port 8000]   ASGI server (uvicorn)
tingwu demo                  load demo data (idempotent)
tingwu worker                background worker (SLA sweep, notifications, tasks)
tingwu <any manage.py command>
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingwu.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["tingwu", *args])


if __name__ == "__main__":
    main()
