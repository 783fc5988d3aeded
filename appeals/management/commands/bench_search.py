"""Search timings for `make bench` (run by cur/bench/search.py against the bench database), issue 6.

`BENCH search_p95_ms_<size>`: the queue page with a search (the whole view through Django's test client:
query parsing, spellings, scope, filters, count, rank, marked fragments, template), for words each in
about 1 % of the appeals, alone and with two filters, for the ЦУР and a МЦУ operator; the worst case.
Beside it, in the same run: the bare index lookup of the same words (`search_floor_ms`) and the way of
a search without an index, ILIKE over the texts (`search_ilike_ms`, what ticket systems do).
`BENCH search_frequent_p95_ms_<size>` (issue 12): the same page for the most frequent words of the corpus
(the top of appeals_searchword by documents, each in a form found in the texts) — those the queue ranks
over their newest matches only and counts up to the bound («найдено более N»), alone and with the two filters.
`BENCH similar_p95_ms_<size>`: the similar-appeals panel of the card (its own request) for random appeals.
"""

import re
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from appeals.models import Appeal
from appeals.search.query import search_request
from cur.bench.runner import RUNS, p95, size_label
from cur.wsgi import freeze_startup

# A word of a text whose stem is the given one: the form an operator would type.
_TYPED_FORM = """
    SELECT w FROM (SELECT a.text FROM appeals_appealsearch s JOIN appeals_appeal a ON a.id = s.appeal_id
                   WHERE s.document @@ %s::tsquery LIMIT 1) t,
         regexp_split_to_table(lower(t.text), '[^[:alpha:]]+') AS w
    WHERE tsvector_to_array(to_tsvector('pg_catalog.russian', w)) = ARRAY[%s]::text[] LIMIT 1
"""
# The same, from everything a document is made of: the most frequent words are often in the titles, the
# place names (municipality, settlement) or the answers rather than in the citizens' texts.
_TYPED_FORM_ANYWHERE = """
    SELECT w FROM (SELECT concat_ws(' ', a.title, a.address, m.name, st.name, a.text,
                                    (SELECT string_agg(r.text, ' ') FROM appeals_answer r
                                     WHERE r.appeal_id = a.id)) AS body
                   FROM appeals_appealsearch s JOIN appeals_appeal a ON a.id = s.appeal_id
                   LEFT JOIN municipalities_municipality m ON m.id = a.municipality_id
                   LEFT JOIN municipalities_settlement st ON st.id = a.settlement_id
                   WHERE s.document @@ %s::tsquery ORDER BY s.appeal_id DESC LIMIT 1) t,
         regexp_split_to_table(lower(t.body), '[^[:alpha:]]+') AS w
    WHERE tsvector_to_array(to_tsvector('pg_catalog.russian', w)) = ARRAY[%s]::text[] LIMIT 1
"""
FOUND = re.compile(r"Найдено(?:: | более )(\d+)")
WORDS = 5


class Command(BaseCommand):
    help = "Search and similar-appeals p95 at the current database size (used by `make bench`)."

    def handle(self, *args, **options):
        settings.ALLOWED_HOSTS = ["*"]
        freeze_startup()  # as the web server does (cur/wsgi.py)
        size = size_label(Appeal.objects.count())
        words = self._words_in_one_percent()
        self.stdout.write(f"# words in about 1 % of {size} appeals: {', '.join(f'{w} ({n})' for w, n in words)}")
        worst = self._pages(words, "search")
        self.stdout.write(f"BENCH search_p95_ms_{size} {worst:.0f} ms")
        self.stdout.write(f"BENCH search_floor_ms_{size} {self._floor(words):.1f} ms")
        self.stdout.write(f"BENCH search_ilike_ms_{size} {self._ilike(words[0][0]):.0f} ms")
        frequent = self._most_frequent_words()
        self.stdout.write(f"# the most frequent words of {size} appeals (documents by the word statistics): "
                          f"{', '.join(f'{w} ({n})' for w, n in frequent)}")
        worst = self._pages(frequent, "frequent")
        self.stdout.write(f"BENCH search_frequent_p95_ms_{size} {worst:.0f} ms")
        self._similar(size)

    def _pages(self, words: list[tuple[str, int]], label: str) -> float:
        """The queue page searching each word, alone and with two filters that leave rows to rank and
        count (every closed ПОС item, about half the appeals), for the ЦУР and a МЦУ operator: the worst p95.
        «found» is the page's count; «>N» when it says «найдено более N»."""
        cases = {"word": {}, "word+2 filters": {"state": "done", "channel": "pos"}}
        worst = 0.0
        for username in ("cur_operator", "pestravka_operator"):
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            for name, params in cases.items():
                samples, found = [], []
                for word, _ in words:
                    client.get("/appeals/", {"q": word, **params})  # warm-up
                    for _ in range(RUNS // len(words)):
                        started = time.perf_counter()
                        response = client.get("/appeals/", {"q": word, **params})
                        samples.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                    body = response.content.decode()
                    count = FOUND.search(body).group(1)
                    found.append(f">{count}" if "Найдено более" in body else int(count))
                value = p95(samples)
                worst = max(worst, value)
                self.stdout.write(f"# {label} {username:<19} {name:<15} p95 {value:6.1f} ms  found {found}")
        return worst

    def _most_frequent_words(self) -> list[tuple[str, int]]:
        """The WORDS stems in the most documents by the word statistics, each as a form seen in a document,
        and «прошу» (the issue's example, in 28 % of the appeals at a million)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT word, documents FROM appeals_searchword WHERE length(word) >= 4"
                           " ORDER BY documents DESC, word LIMIT %s", [WORDS * 4])
            chosen = []
            for stem, documents in cursor.fetchall():
                cursor.execute(_TYPED_FORM_ANYWHERE, [f"'{stem}'", stem])  # stems are letters and hyphens
                row = cursor.fetchone()
                if row is not None:
                    chosen.append((row[0], documents))
                if len(chosen) == WORDS:
                    break
            cursor.execute("SELECT documents FROM appeals_searchword WHERE word = 'прош'")
            row = cursor.fetchone()
            if row is not None and "прошу" not in dict(chosen):
                chosen.append(("прошу", row[0]))
        assert chosen, "no words in the statistics: is the search index built?"
        return chosen

    def _words_in_one_percent(self) -> list[tuple[str, int]]:
        """Words as people type them (a form seen in a text, not a stem) whose search — forms and
        spellings included — matches 0.7–1.3 % of the appeals, the closest to 1 % first."""
        total = Appeal.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM appeals_searchword WHERE documents BETWEEN %s AND %s AND length(word) >= 4"
                " ORDER BY abs(documents - %s), word LIMIT 40", [total * 0.005, total * 0.015, total * 0.01])
            stems = [row[0] for row in cursor.fetchall()]
            chosen = []
            for stem in stems:
                cursor.execute(_TYPED_FORM, [f"'{stem}'", stem])  # stems are letters and hyphens
                row = cursor.fetchone()
                if row is None:
                    continue
                word = row[0]
                cursor.execute("SELECT count(*) FROM appeals_appealsearch WHERE document @@ %s::tsquery",
                               [search_request(word).tsquery])
                count = cursor.fetchone()[0]
                if 0.007 * total <= count <= 0.013 * total:
                    chosen.append((word, count))
                if len(chosen) == WORDS:
                    break
        assert chosen, "no word in about 1 % of the appeals: is the search index built?"
        return chosen

    def _floor(self, words) -> float:
        """The bare minimum: one GIN lookup counting the matches of the word, nothing else."""
        samples = []
        with connection.cursor() as cursor:
            for word, _ in words:
                tsquery = search_request(word).tsquery
                for _ in range(RUNS // len(words)):
                    started = time.perf_counter()
                    cursor.execute("SELECT count(*) FROM appeals_appealsearch WHERE document @@ %s::tsquery",
                                   [tsquery])
                    cursor.fetchone()
                    samples.append((time.perf_counter() - started) * 1000)
        return p95(samples)

    def _ilike(self, word: str) -> float:
        """Without a search index: a substring scan of every text, once."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM appeals_appeal WHERE text ILIKE %s", [f"%{word}%"])
            cursor.fetchone()
        return (time.perf_counter() - started) * 1000

    def _similar(self, size: str) -> None:
        """The card's panel as the browser loads it after the card (the whole view, template included),
        for random appeals with a subtopic and a place, as the ЦУР operator."""
        client = Client()
        client.force_login(get_user_model().objects.get(username="cur_operator"))
        ids = list(Appeal.objects.filter(subtopic__isnull=False, municipality__isnull=False)
                   .order_by("?").values_list("pk", flat=True)[:RUNS + 1])
        client.get(f"/appeals/{ids[-1]}/similar/")  # warm-up
        samples, shown = [], 0
        for pk in ids[:RUNS]:
            started = time.perf_counter()
            response = client.get(f"/appeals/{pk}/similar/")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            shown += response.content.decode().count("совпадает")
        self.stdout.write(f"# similar: {shown / RUNS:.1f} shown per card on average")
        self.stdout.write(f"BENCH similar_p95_ms_{size} {p95(samples):.0f} ms")
