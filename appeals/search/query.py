"""Search across appeals in Russian (docs/search.md): what people type becomes a PostgreSQL tsquery.

The syntax is websearch's — words, "a phrase", -excluded, OR (also «или») — parsed here, never handed to
PostgreSQL as query syntax: every piece is normalised by PostgreSQL's own `russian` stemmer from a bound
parameter, and the pieces are joined with tsquery operators. Each plain word also matches
- the other forms of its word (pymorphy3), where the stemmer cannot join them: «людей» — «человек»;
- if the dictionary does not know it, spellings of it that are much more frequent in the documents
  (trigrams over SearchWord): «Малодежная» — «Молодёжная»; a word not in any document also matches as
  a prefix («Молодёж»).
A number or an external id finds its appeal directly (`identifier_find`).

The same word statistics predict how many documents a query matches (`SearchRequest.estimate`): a query
predicted in more than `exact_max()` documents («прошу», in 28 % of the appeals) is not ranked and counted
over every match — the queue ranks its newest `rank_bound()` matches only and says «найдено более N»
(appeals/workspace/selectors.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from appeals.search.index import LEXICON_WORD

CONFIG = "pg_catalog.russian"
MAX_CHARS = 300
MAX_TERMS = 12
# A spelling is suggested for a word only if it is this much more frequent in the documents.
MORE_FREQUENT = 2
SIMILARITY = 0.45
SPELLINGS = 4
# Rank: title (A) and address (B) above the text (C) and the answers (D); shorter documents win ties.
WEIGHTS = [0.1, 0.4, 0.6, 1.0]  # D, C, B, A
NORMALIZATION = 1
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters, never in a cleaned text
# A query the word statistics predict in more than EXACT_MAX documents is counted up to RANK_BOUND and
# ranked over its newest RANK_BOUND matches only (docs/search.md, «A very frequent word»). RANK_BOUND is
# as far as the pages by relevance go (MAX_RELEVANCE_OFFSET); up to EXACT_MAX matches, ranking and counting
# all of them costs what finding the newest does (measured: a 1 % word at a million appeals, ≈ 10 000).
# settings.SEARCH_RANK_BOUND and SEARCH_EXACT_MAX override them.
RANK_BOUND = 1000
EXACT_MAX = 20_000

_TOKEN = re.compile(r'"[^"]*"?|\S+')
_WORD = re.compile(r"[\w@.+-]*\w", re.UNICODE)
_OR = {"or", "или", "|"}
_PHONE = re.compile(r"\+?[\d\s()\-]{10,20}")
_NUMBER = re.compile(r"(?:№\s*)?(\d{1,7})")
_CONTROL = re.compile(f"[\x00-\x1f\x7f{MARK_START}{MARK_END}]")
_CYRILLIC = re.compile(r"[а-яё]+", re.IGNORECASE)


@dataclass
class Term:
    text: str
    negated: bool = False
    phrase: bool = False


@dataclass
class SearchRequest:
    """A query as typed, what was searched and how; `tsquery` is empty when nothing searchable is left."""

    typed: str
    searched: str = ""
    notes: list[str] = field(default_factory=list)
    tsquery: str = ""
    # all words (OR) instead of every word (AND): offered when every word together finds nothing
    tsquery_any: str = ""
    # how many documents each may match by the word statistics (appeals_searchword, an upper bound
    # rather than a count); None when they cannot tell — a number, a two-letter word
    estimate: int | None = None
    estimate_any: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.typed.strip())

    def predicts_more_than(self, bound: int, *, any_word: bool = False) -> bool:
        """Whether the statistics say the query may match more than `bound` documents (or cannot tell)."""
        estimate = self.estimate_any if any_word else self.estimate
        return estimate is None or estimate > bound


def rank_bound() -> int:
    """How many of the newest matches a frequent query is ranked over (RANK_BOUND unless configured)."""
    return int(getattr(settings, "SEARCH_RANK_BOUND", RANK_BOUND))


def exact_max() -> int:
    """Up to how many predicted matches every one is ranked and counted (EXACT_MAX unless configured;
    never below the bound)."""
    return max(int(getattr(settings, "SEARCH_EXACT_MAX", EXACT_MAX)), rank_bound())


def search_request(typed: str) -> SearchRequest:
    """Parse and compile what the user typed (one round trip to PostgreSQL)."""
    request = SearchRequest(typed=typed or "")
    text = _typed_text(typed)
    if not text:
        return request
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0] if " " in text[:MAX_CHARS] else text[:MAX_CHARS]
        request.notes.append(f"Запрос длиннее {MAX_CHARS} знаков: искали по его началу.")
    if _PHONE.fullmatch(text) and len(digits := re.sub(r"\D", "", text)) >= 10:
        text = digits[-10:]  # a phone as the personal-data vector holds it
    clauses = _parse(text)
    if sum(len(clause) for clause in clauses) > MAX_TERMS:
        clauses = _first_terms(clauses, MAX_TERMS)
        request.notes.append(f"В запросе больше {MAX_TERMS} слов и выражений: искали по первым {MAX_TERMS}.")
    request.searched = text
    request.tsquery, request.tsquery_any, request.estimate, request.estimate_any = _compile(clauses)
    if not request.tsquery:
        request.notes.append("В запросе нет слов, по которым можно искать (только предлоги, знаки или исключения).")
    return request


def _typed_text(typed: str | None) -> str:
    """What was typed on one line, without control characters (PostgreSQL refuses NUL) or our marks."""
    return " ".join(_CONTROL.sub(" ", typed or "").split())


def _parse(text: str) -> list[list[Term]]:
    """Websearch syntax → clauses joined by AND, each a list of alternatives joined by OR."""
    clauses: list[list[Term]] = []
    join_next = False
    for token in _TOKEN.findall(text):
        if token.lower() in _OR:
            join_next = bool(clauses)
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        phrase = body.startswith('"')
        body = body.strip('"').strip()
        if not _WORD.search(body):
            continue  # a lone operator or punctuation: nothing to search for
        term = Term(body, negated=negated, phrase=phrase or len(_WORD.findall(body)) > 1)
        if join_next and not negated:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
    return clauses


def _first_terms(clauses: list[list[Term]], limit: int) -> list[list[Term]]:
    kept, count = [], 0
    for clause in clauses:
        if count + len(clause) > limit:
            break
        kept.append(clause)
        count += len(clause)
    return kept


def _compile(clauses: list[list[Term]]) -> tuple[str, str, int | None, int | None]:
    """The clauses as tsquery text (every word normalised by PostgreSQL from a bound parameter), for
    every word and for any word, and how many documents each may match (`_estimate`)."""
    terms = [term for clause in clauses for term in clause]
    if not terms:
        return "", "", None, None
    plain = [(i, term.text) for i, term in enumerate(terms) if not term.phrase and not term.negated]
    forms = [(i, form) for i, word in plain for form in _other_forms(word)]
    with connection.cursor() as cursor:
        # every term as a tsquery of its own (phrase, plain words)
        cursor.execute(
            "SELECT (CASE WHEN p THEN phraseto_tsquery(%s, t) ELSE plainto_tsquery(%s, t) END)::text"
            " FROM unnest(%s::text[], %s::bool[]) WITH ORDINALITY AS x(t, p, n) ORDER BY n",
            [CONFIG, CONFIG, [t.text for t in terms], [t.phrase for t in terms]],
        )
        pieces = [row[0] for row in cursor.fetchall()]
        alternatives: dict[int, set[str]] = {i: set() for i, _ in plain}
        if plain:
            # stems of the other forms, and more frequent similar spellings from the documents' words
            cursor.execute(_ALTERNATIVES, [
                CONFIG, [i for i, _ in plain] + [i for i, _ in forms], [w for _, w in plain] + [w for _, w in forms],
                [True] * len(plain) + [False] * len(forms),
                [_may_be_misspelt(w) for _, w in plain] + [False] * len(forms),
                SIMILARITY, MORE_FREQUENT, SPELLINGS,
            ])
            for i, stem, spellings, known in cursor.fetchall():
                alternatives[i].add(_lexeme(stem))
                alternatives[i].update(_lexeme(s) for s in spellings)
                if known is False and not spellings and len(stem) >= 4:
                    alternatives[i].add(_lexeme(stem) + ":*")  # an unknown word may be the start of one
    parts, i = [], -1
    for clause in clauses:
        options = []
        for term in clause:
            i += 1  # the term's place in `terms`
            piece = pieces[i]
            if not piece:
                continue  # a stop word
            if i in alternatives and len(alternatives[i]) > 1:
                piece = " | ".join(sorted(alternatives[i]))
            options.append(f"!({piece})" if term.negated else f"({piece})")
        if options:
            parts.append(options)
    positive = [options for options in parts if not all(o.startswith("!") for o in options)]
    if not positive:
        return "", "", None, None
    every = " & ".join("(" + " | ".join(options) + ")" for options in parts)
    negative = [o for options in parts for o in options if o.startswith("!")]
    anyone = " | ".join(o for options in positive for o in options)
    anyone = f"({anyone})" + "".join(f" & {o}" for o in negative)
    estimate, estimate_any = _estimate(positive)
    return every, anyone if len(positive) > 1 else "", estimate, estimate_any if len(positive) > 1 else None


_LEXEME = re.compile(r"'((?:[^']|'')*)'(:\*)?")
# Per lexeme of the query: how many documents hold it (a prefix: all the words it begins), by the word
# statistics; NULL for a lexeme they do not keep (numbers, words under three letters — LEXICON_WORD).
_DOCUMENTS = """
    SELECT CASE WHEN x.w !~ %s THEN NULL
                WHEN x.prefix IS NOT NULL THEN (SELECT coalesce(sum(n.documents), 0) FROM appeals_searchword n
                                                WHERE n.word LIKE x.prefix)
                ELSE coalesce((SELECT n.documents FROM appeals_searchword n WHERE n.word = x.w), 0) END
    FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS x(w, prefix, n) ORDER BY x.n
"""


def _estimate(positive: list[list[str]]) -> tuple[int | None, int | None]:
    """How many documents the query may match, every word and any word, by the documents holding each
    lexeme: an option of alternatives (`a | b`) — their sum; of words that must all be there (`a & b`,
    a phrase) — the rarest; a clause of options joined by OR — the sum; clauses joined by AND — the
    rarest clause. An upper bound by construction (exclusions are not subtracted); None when no clause
    can be told (all its lexemes are numbers or short words the statistics do not keep)."""
    lexemes = [(m.group(1).replace("''", "'"), bool(m.group(2)))
               for options in positive for option in options if not option.startswith("!")
               for m in _LEXEME.finditer(option)]
    if not lexemes:
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(_DOCUMENTS, [LEXICON_WORD, [w for w, _ in lexemes],
                                    [_like_prefix(w) if prefix else None for w, prefix in lexemes]])
        counts = iter(row[0] for row in cursor.fetchall())
    clauses = []
    for options in positive:
        option_counts = []
        for option in options:
            if option.startswith("!"):
                continue
            found = [next(counts) for _ in _LEXEME.finditer(option)]
            known = [n for n in found if n is not None]
            if len(known) < len(found) and (" | " in option or not known):
                option_counts.append(None)  # one alternative unknown: the sum is unknown
            else:
                option_counts.append(sum(known) if " | " in option else min(known))
        clauses.append(None if None in option_counts else sum(option_counts))
    known_clauses = [n for n in clauses if n is not None]
    every = min(known_clauses) if known_clauses else None
    anyone = None if None in clauses else sum(clauses)
    return every, anyone


# For each plain word (typed) and each of its other forms: the stem; for typed words also whether the
# stem is in any document and — for words that may be misspelt — the similar, clearly more frequent
# spellings (trigram index).
_ALTERNATIVES = """
    WITH words AS (
        SELECT x.i, x.typed, x.unsure, (tsvector_to_array(to_tsvector(%s::regconfig, x.w)))[1] AS stem
        FROM unnest(%s::int[], %s::text[], %s::bool[], %s::bool[]) AS x(i, w, typed, unsure)
    )
    SELECT words.i, words.stem,
           CASE WHEN words.unsure AND length(words.stem) >= 4 THEN ARRAY(
               SELECT n.word FROM appeals_searchword n
               WHERE n.word %% words.stem AND similarity(n.word, words.stem) >= %s
                 AND n.documents > %s * coalesce(known.documents, 0)
               ORDER BY similarity(n.word, words.stem) DESC, n.documents DESC LIMIT %s)
           ELSE ARRAY[]::text[] END,
           CASE WHEN words.typed THEN known.word IS NOT NULL END
    FROM words LEFT JOIN appeals_searchword known ON known.word = words.stem
    WHERE words.stem IS NOT NULL
"""


def _like_prefix(word: str) -> str:
    """A LIKE pattern of the words beginning with `word` (its own % and _ taken literally)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _may_be_misspelt(word: str) -> bool:
    """A Russian word the dictionary knows is taken as typed: «контролер» must not also find the ten
    times more frequent «контроль». Other words (not in the dictionary, not Cyrillic) get spellings."""
    if not _CYRILLIC.fullmatch(word):
        return True
    from structuring.lemmas import is_known_word

    return not is_known_word(word.lower())


@lru_cache(maxsize=4096)
def _other_forms(word: str) -> tuple[str, ...]:
    """The forms of a Russian word's lexeme (pymorphy3), so «людей» also finds «человек» and back."""
    if not _CYRILLIC.fullmatch(word) or len(word) < 3:
        return ()
    from structuring.lemmas import morph

    parse = morph().parse(word.lower())[0]
    # «по-газовому» is in the lexeme of «газовый» but is a word of its own
    forms = {form.word for form in parse.lexeme if "-" not in form.word} - {word.lower()}
    return tuple(sorted(forms))[:60]


def _lexeme(stem: str) -> str:
    """A stem as a tsquery lexeme literal (quoted; PostgreSQL produced it, the quoting makes sure)."""
    return "'" + stem.replace("\\", "\\\\").replace("'", "''") + "'"


class CompiledQuery(SearchQuery):
    """A tsquery composed by `search_request`: cast as it is, not parsed again."""

    def __init__(self, tsquery: str):
        super().__init__(tsquery, search_type="raw")
        self.tsquery = tsquery

    def as_sql(self, compiler, connection, **extra_context):
        return "%s::tsquery", [self.tsquery]


def search_filter(queryset: QuerySet, request: SearchRequest, *, personal: bool, any_word: bool = False) -> QuerySet:
    """Appeals whose document matches; with `personal` (roles allowed to see personal data, 152-ФЗ)
    also those whose citizen's name, contacts or personal data in the text match."""
    text = request.tsquery_any if any_word else request.tsquery
    if not text:
        return queryset.none()
    query = CompiledQuery(text)
    match = Q(search__document=query) | Q(search__personal=query) if personal else Q(search__document=query)
    return queryset.filter(match)


def search_rank(request: SearchRequest, *, personal: bool, any_word: bool = False):
    """The rank expression of a matching appeal (higher is better)."""
    query = CompiledQuery(request.tsquery_any if any_word else request.tsquery)
    rank = SearchRank(F("search__document"), query, weights=WEIGHTS, normalization=NORMALIZATION)
    if personal:
        rank = rank + Coalesce(SearchRank(F("search__personal"), query, weights=WEIGHTS), 0.0,
                               output_field=FloatField())
    return rank


def search_fragments(texts: dict[int, tuple[str, str]], tsquery: str) -> dict[int, tuple[SafeString, SafeString]]:
    """(title, fragments of the text) of each appeal with the found words marked <mark>…</mark>.
    `texts` are what the user may read (masked for roles without access to personal data)."""
    if not texts or not tsquery:
        return {}
    ids = list(texts)
    options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MinWords=6, MaxWords=20, "
               "FragmentDelimiter=\" … \", HighlightAll=false")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT x.id, ts_headline(%s, x.title, q, 'HighlightAll=true, StartSel=' || %s || ', StopSel=' || %s),"
            " ts_headline(%s, x.body, q, %s)"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS x(id, title, body), CAST(%s AS tsquery) AS q",
            [CONFIG, MARK_START, MARK_END, CONFIG, options, ids, [_clean(texts[i][0]) for i in ids],
             [_clean(texts[i][1])[:20000] for i in ids], tsquery],
        )
        return {appeal_id: (_marked(title), _marked(body)) for appeal_id, title, body in cursor.fetchall()}


def _clean(text: str) -> str:
    return (text or "").replace(MARK_START, " ").replace(MARK_END, " ")


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text or "").replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308


def identifier_lookup(queryset: QuerySet, typed: str):
    """The appeal in `queryset` (the user's scope) whose number or external id is exactly what was typed
    («0001234», «№ 1234», «POS-000123456», a ПОС number); None when it is not one, or not visible."""
    text = _typed_text(typed)
    if not text or len(text) > 64 or " " in text.replace("№ ", "№"):
        return None
    match = Q(external_id__in={text, text.upper()})
    number = _NUMBER.fullmatch(text)
    if number:
        match |= Q(pk=int(number.group(1)))
    found = list(queryset.filter(match).only("pk", "region_id")[:2])
    return found[0] if len(found) == 1 else None
