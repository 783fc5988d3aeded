"""The bench database and the benchmark registry; see cur/bench/__init__.py."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psycopg
from django.conf import settings
from psycopg.conninfo import make_conninfo

BENCH_DB = "cur_bench"
# Requests per timed case after a warm-up: of 20 samples the p95 is nearly their maximum (one hiccup of
# a virtual machine), of 40 it is not.
RUNS = 40
BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class Result:
    name: str
    value: float
    unit: str

    def line(self) -> str:
        value = f"{self.value:.0f}" if self.value >= 100 else f"{self.value:.2f}"
        return f"BENCH {self.name} {value} {self.unit}"


@dataclass
class BenchDatabase:
    url: str  # DATABASE_URL of the bench database
    appeals: int
    floor: bool = True  # measure the generation's COPY floor (at 5 M some 40 minutes and 20 GB of dumps)

    def conninfo(self) -> str:
        config = dj_database_url.parse(self.url)
        return make_conninfo(dbname=config["NAME"], user=config["USER"], password=config["PASSWORD"] or "",
                             host=config["HOST"], port=str(config["PORT"] or ""))

    def manage(self, *args: str) -> float:
        """Run a management command against the bench database; return its wall time in seconds."""
        started = time.perf_counter()
        subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True,
                       env=dict(os.environ, DATABASE_URL=self.url))
        return time.perf_counter() - started


def _url_for(database: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + database))


def create_bench_database(appeals: int, *, floor: bool = True) -> BenchDatabase:
    """A fresh `cur_bench` database with the schema and the reference data, without appeals."""
    admin = BenchDatabase(_url_for("postgres"), 0)
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    db = BenchDatabase(_url_for(BENCH_DB), appeals, floor)
    db.manage("migrate", "--verbosity", "0")
    db.manage("bootstrap", "--demo", "--demo-appeals", "0")  # the demo organisation: bodies to route to
    return db


def size_label(appeals: int) -> str:
    """How a figure names the database's size: «1m», «5m», or the count below half a million."""
    return f"{round(appeals / 1_000_000)}m" if appeals >= 500_000 else str(appeals)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


Benchmark = Callable[[BenchDatabase], Iterator[Result]]
REGISTRY: list[Benchmark] = []


def benchmark(func: Benchmark) -> Benchmark:
    REGISTRY.append(func)
    return func
