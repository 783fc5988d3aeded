"""Personal data (152-ФЗ) in what leaves the server: the ONE function that shows a text which may carry
it — an appeal's title or text, an answer, a problem's title, an event's note, a search fragment, a
cell of an export — in full to the roles that work with the citizen (`cur.scoping.can_see_personal_data`)
and with names, phones, e-mails, home addresses and document numbers masked to everyone else
(structuring/personal_data.py finds them). Pages, fragments, exports and the API all call it; a new
place that shows such a text calls it too (tests/security/test_masking_walk.py walks every URL).
"""

from __future__ import annotations

from structuring.personal_data import MASKS, find_personal_data

# Lists show the first EXCERPT characters of a text without a title (Appeal.title_or_excerpt).
EXCERPT = 120
# A text cut for display is read this much longer than it is shown, and masked before it is cut: a
# phone or a name at the edge of what is shown is then masked whole rather than shown in part.
MARGIN = 100


def visible_text(text: str | None, *, personal: bool, limit: int | None = None) -> str:
    """`text` as the reader may see it: as it is when `personal` (the reader may see personal data),
    else with every personal-data span replaced by its mask («[ФИО]», «[телефон]», «[адрес]» …).

    With `limit`: at most `limit` characters, «…» added when something was left out. The text may be
    the beginning of a longer one, read `limit + MARGIN` characters long: then nothing from beyond its
    first `limit` characters is shown unmasked, so a personal datum cut at the end of what was read
    (and so not recognisable) never shows in part.
    """
    text = text or ""
    if personal:
        return text if limit is None or len(text) <= limit else text[:limit] + "…"
    spans = find_personal_data(text)
    if limit is None:
        return _masked(text, spans, len(text))
    # text shorter than what is read with the margin is the whole text: its end is not cut
    safe_end = len(text) if len(text) < limit + MARGIN else limit
    shown = _masked(text, spans, safe_end)
    if len(shown) > limit:
        return shown[:limit] + "…"
    return shown if safe_end == len(text) else shown + "…"


def _masked(text: str, spans, end: int) -> str:
    """The masked text of text[:end]; a span that starts before `end` is shown as its mask, whole."""
    out, last = [], 0
    for span in spans:
        if span.start >= end:
            break
        out.append(text[last:span.start])
        out.append(MASKS[span.kind])
        last = span.end
    if last < end:
        out.append(text[last:end])
    return "".join(out)


def visible_summary(appeal, *, personal: bool) -> str:
    """What lists call an appeal (Appeal.title_or_excerpt): its title, or the beginning of its text,
    as the reader may see it. Reads `excerpt` when the list read only that (see `visible_rows`)."""
    if appeal.title:
        return visible_text(appeal.title, personal=personal)
    head = appeal.__dict__["excerpt"] if "excerpt" in appeal.__dict__ else appeal.text
    return visible_text(head[:EXCERPT + MARGIN], personal=personal, limit=EXCERPT)


def visible_rows(appeals, *, personal: bool) -> None:
    """Rows of a list (the queue, the home page, a Problem's appeals) made display copies for a reader
    without personal data: their title and the excerpt that `title_or_excerpt` shows, masked in place.
    Only for rows read to be shown, never for an appeal that is then written."""
    if personal:
        return
    for appeal in appeals:
        appeal.excerpt = "" if appeal.title else visible_summary(appeal, personal=False)
        appeal.title = visible_text(appeal.title, personal=False)
