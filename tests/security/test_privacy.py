"""appeals/privacy.py `visible_text`, the one function every page, export and API field shows texts by."""

from appeals.privacy import MARGIN, visible_text

PHONE = "8 927 555-13-97"


def test_a_reader_with_access_sees_the_text_whole_or_cut_plainly():
    text = f"Звоните: {PHONE}"
    assert visible_text(text, personal=True) == text
    assert visible_text(text, personal=True, limit=8) == "Звоните:…"


def test_a_reader_without_access_sees_every_span_masked():
    assert visible_text(f"Кузнецова Ольга Викторовна, {PHONE}, ул. Садовая, д. 12, кв. 34", personal=False) \
        == "[ФИО], [телефон], [адрес]"
    assert visible_text(None, personal=False) == "" and visible_text("", personal=False, limit=10) == ""


def test_a_short_text_is_whole_and_a_long_one_is_never_shown_past_its_limit():
    assert visible_text(f"Тел. {PHONE}", personal=False, limit=120) == "Тел. [телефон]"
    # read limit + MARGIN long, the text may go on: nothing past the limit is shown unmasked, even when
    # masks made what is shown shorter — a phone cut at the end of what was read is not recognisable
    phones = f"{PHONE} " * 3
    read = phones + "а" * (120 + MARGIN - len(phones) - 9) + " 8 927 55"  # …5-13-97 was not read
    assert len(read) == 120 + MARGIN
    shown = visible_text(read, personal=False, limit=120)
    assert shown == "[телефон] " * 3 + "а" * (120 - len(phones)) + "…"


def test_a_span_that_starts_before_the_limit_is_masked_whole():
    text = "а" * 110 + f" {PHONE} " + "б" * 300
    shown = visible_text(text[:120 + MARGIN], personal=False, limit=120)
    assert shown == "а" * 110 + " [телефон]…"
