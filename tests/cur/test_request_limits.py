"""The queue's search box fits the GET limit of the web server: the longest query the box accepts, in
Cyrillic (six URL bytes a letter), with every filter of the form set, still passes gunicorn's request
line limit — typing into the box never ends in a 414."""

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser

from appeals.search.query import MAX_CHARS, search_request
from tests.personas import user

pytestmark = pytest.mark.django_db


class FilterForm(HTMLParser):
    """The fields of the queue's filter form, each with the longest value a user can give it."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.select: str | None = None
        self.fields: dict[str, str] = {}
        self.maxlength: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "filters" in (attrs.get("class") or ""):
            self.inside = True
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name"):
            self.maxlength[attrs["name"]] = int(attrs["maxlength"]) if "maxlength" in attrs else 0
            self.fields[attrs["name"]] = ""
        elif tag == "select":
            self.select = attrs["name"]
            self.fields[self.select] = ""
        elif tag == "option" and self.select:
            value = attrs.get("value") or ""
            if len(value) > len(self.fields[self.select]):
                self.fields[self.select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def passes_gunicorn(url: str) -> tuple[bool, str]:
    raw = f"GET {url} HTTP/1.1\r\nHost: cur.example.ru\r\n\r\n".encode()
    try:
        next(RequestParser(Config(), [raw], ("127.0.0.1", 40000)))
    except Exception as error:  # noqa: BLE001 — the parser's refusal is the finding
        return False, f"{type(error).__name__}: {error}"
    return True, ""


def test_the_longest_query_the_box_takes_with_every_filter_fits_the_request_line(client):
    client.force_login(user("cur_operator"))  # the widest option lists: the whole region
    form = FilterForm()
    form.feed(client.get("/appeals/").content.decode())
    assert "q" in form.fields and form.maxlength["q"] > 0, "the search box must declare its maxlength"

    fields = dict(form.fields, q="ё" * form.maxlength["q"], due_within="1440")
    url = "/appeals/?" + urlencode(fields)
    more = url + "&after=" + "1767225600.000000_" + "9" * 12  # «Показать ещё» repeats the query with a cursor

    for candidate in (url, more):
        ok, error = passes_gunicorn(candidate)
        assert ok, f"{len(candidate)} bytes: {error}"


def test_the_box_still_lets_the_server_cut_and_say_so():
    """The box takes more than the server searches, so the note about the cut stays reachable."""
    from appeals.workspace.filters import AppealFilter

    maxlength = int(AppealFilter.base_filters["q"].extra["widget"].attrs["maxlength"])
    assert maxlength > MAX_CHARS
    request = search_request("водоснабжение " * (maxlength // 14))
    assert any(str(MAX_CHARS) in note for note in request.notes)
