#!/usr/bin/env python
"""Django's command-line utility for the ЦУР platform.

Without DATABASE_URL / REDIS_URL it starts (or attaches to) the embedded PostgreSQL and Redis, so
every command — `serve`, `generate_demo`, `structure`, `bench` — works on a fresh clone.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings")
    from cur.embedded import ensure_servers

    ensure_servers()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
