"""Structuring throughput on one core (issue 5's target: ≥ 200 texts/s per core), beside the bare
minimum on the same texts: razdel tokens + pymorphy3 lemmas alone, and a plain regex word split."""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark

TEXTS = 4_000


GREETINGS = ["Здравствуйте!", "Добрый день.", "Уважаемый глава!", "<p>Добрый вечер!</p>", "", "Пишу уже третий раз."]
CLOSINGS = ["Примите меры.", "Прошу разобраться и ответить письменно.", "Сколько можно ждать?!",
            "<br>С уважением, жители дома.", "", "Иначе буду писать в прокуратуру."]


def bench_texts(n: int = TEXTS, seed: int = 5) -> list[str]:
    """Distinct synthetic appeals as long as real ones (median ≈ 250 characters): a greeting, one to
    three demo-corpus problems with real place names and streets, a closing, typing noise, some HTML."""
    from appeals.demo import corpus, noise
    from municipalities.models import Settlement

    rng = random.Random(seed)
    places = [s.label for s in Settlement.objects.filter(region__code="samara").exclude(kind="city_district")]
    templates = [t for texts in corpus.APPEAL_TEXTS.values() for t in texts]
    out = []
    for k in range(n):
        problems = " ".join(rng.choice(templates).format(
            place=rng.choice(places), street=rng.choice(corpus.STREETS), house=rng.randint(1, 120),
            org_no=rng.randint(1, 60), days=rng.randint(2, 30),
            date=f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}") for _ in range(rng.choice((1, 2, 2, 3))))
        text = f"{rng.choice(GREETINGS)} {problems} {rng.choice(CLOSINGS)}".strip()
        out.append(f"{noise.noisify(text, rng)} ({k})")
    return out


def measure(n: int = TEXTS) -> list[Result]:
    """Run in this process pinned to one core, lemma cache empty at the start of each pass."""
    from threadpoolctl import threadpool_limits

    from structuring import lemmas
    from structuring.pipeline import StructInput, structure_texts
    from structuring.selectors import active_model, gazetteer
    from structuring.services import BATCH  # as the worker structures an intake batch

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = bench_texts(n)
    active_model()
    gazetteer("samara")  # loading the model and the gazetteer is start-up, not throughput
    results = []
    with threadpool_limits(1):
        lemmas._lemma_cache.clear()
        started = time.perf_counter()
        for start in range(0, n, BATCH):
            structure_texts([StructInput(t) for t in texts[start:start + BATCH]], "samara")
        results.append(Result("structure_texts_per_s_per_core", n / (time.perf_counter() - started), "texts/s"))

        lemmas._lemma_cache.clear()
        started = time.perf_counter()
        for text in texts:
            lemmas.tokens(text)
        results.append(Result("tokens_lemmas_per_s_per_core", n / (time.perf_counter() - started), "texts/s"))

        word = re.compile(r"\w+")
        started = time.perf_counter()
        for text in texts:
            word.findall(text.lower())
        results.append(Result("regex_words_per_s_per_core", n / (time.perf_counter() - started), "texts/s"))
    # what a worker child holds with every model loaded (topic model, word vectors, NER, gazetteer, morphology)
    # once its task is done: the worker gives the freed heap back after each task (cur/celery.py)
    from cur.celery import return_freed_memory

    return_freed_memory()
    status = dict(line.split(":", 1) for line in open("/proc/self/status", encoding="ascii").read().splitlines()
                  if ":" in line)
    results.append(Result("structuring_rss_mb", int(status["VmRSS"].split()[0]) / 1024, "MB"))
    results.append(Result("structuring_peak_rss_mb", int(status["VmHWM"].split()[0]) / 1024, "MB"))
    return results


@benchmark
def structuring_bench(db: BenchDatabase) -> Iterator[Result]:
    # In a process of its own on the bench database (`bootstrap` there trained the seed model).
    db.manage("bench_structuring")
    yield from ()
