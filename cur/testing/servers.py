"""pytest plugin: the test session runs against a real PostgreSQL and a real Redis.

Loaded with `-p cur.testing.servers` (see pyproject.toml) so that it runs before pytest-django
reads the settings. With DATABASE_URL / REDIS_URL set it uses those servers; otherwise it starts
the embedded ones. Tests get their own Redis (var/redis/test.rdb), so a running `make run` is
never disturbed; Django creates its own `test_cur` database in the shared PostgreSQL.
"""

from cur.embedded import DB_NAME, ensure_servers

# A session run with CUR_DB_NAME=x (parallel work on one machine) gets its own Redis too.
ensure_servers(redis_name="test" if DB_NAME == "cur" else f"test-{DB_NAME}")


def pytest_unconfigure(config):
    """Stop the servers this session started (a server another process uses keeps running)."""
    from cur.embedded import stop_servers

    stop_servers()
