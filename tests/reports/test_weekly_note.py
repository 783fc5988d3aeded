"""The weekly analytical note on a hand-made week: every figure equals the page's for the same territory and week;
the DOCX opens and has every section; the PDF renders (page 1 as a picture in the test artefacts); a final note
does not change when the data does; who may build, edit, finalise and read it; the Monday job on its own queue."""

import io
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from docx import Document

from appeals.lifecycle import transitions
from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import Status
from cur.celery import app as celery_app
from cur.models import Centre, Subtopic
from cur.permissions import Forbidden
from reports.models import WeeklyNote
from reports.tasks import DOCUMENTS_QUEUE, weekly_notes_build
from reports.weekly import outline
from reports.weekly.render_docx import note_docx
from reports.weekly.render_pdf import note_pdf
from reports.weekly.services import NoteRefused, last_week, note_build, note_edit, note_finalise, notes_build_all
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
WEEK = date(2024, 3, 11)  # Monday; the week before is 4–10 March
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
QUERY = {"period": "week", "on": "2024-03-13"}


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=SAMARA)


@pytest.fixture
def weeks(make_appeal):
    """4–10 March: two ЖКХ appeals in Пестравка. 11–17 March: in Пестравка two ЖКХ messages, a road one and a 59-ФЗ
    letter about a burst pipe (the МЦУ's fast-track mechanism: 7 days, left past them); in Тольятти two ЖКХ."""
    for day in (5, 7):
        make_appeal(PESTRAVKA, "housing_utilities", received_at=at(day))
    for day in (11, 12):
        make_appeal(PESTRAVKA, "housing_utilities", received_at=at(day))
    make_appeal(PESTRAVKA, "roads", received_at=at(13))
    letter = make_appeal(PESTRAVKA, "housing_utilities", received_at=at(11), status=Status.NEW, due_at=None,
                         kind="appeal", channel="letter")
    letter = transitions.appeal_correct(appeal=letter, by=None, changes={
        "subtopic": Subtopic.objects.get(code="housing.cold_water")}, at=at(11, 11))
    letter = transitions.appeal_register(appeal=letter, by=None, at=at(11, 12))
    assert letter.fast_track is not None
    appeals_refresh_overdue(now=letter.due_at + timedelta(minutes=1))
    for day in (14, 15):
        make_appeal(TOLYATTI, "housing_utilities", received_at=at(day))
    rollups_refresh(now=datetime(2024, 3, 25, tzinfo=SAMARA))


def _centre(oktmo: str | None) -> Centre:
    if oktmo is None:
        return Centre.objects.get(level="region", region__code="samara")
    return Centre.objects.get(municipality__oktmo=oktmo)


def test_each_figure_equals_the_pages_figure_for_the_same_territory_and_week(client, weeks):
    for oktmo, curator in ((PESTRAVKA, "pestravka_curator"), (None, "cur_curator")):
        note = note_build(centre=_centre(oktmo), week=WEEK)
        f = note.figures
        client.force_login(user(curator))
        board = client.get(reverse("heatmap:dashboard"), QUERY).context["board"]
        assert [(t["label"], t["value"]) for t in f["tiles"]] == [(t.label, t.value) for t in
                                                                  (*board.tiles, *board.targets)]
        heat = client.get(reverse("heatmap:index"), {**QUERY, "measure": "per_10k"}).context["heat"]
        assert f["territories"]["total"] == heat.total.count
        assert {p["name"]: p["per_10k"] for p in f["territories"]["places"]} == {
            r.municipality.name: r.value for r in heat.rows}
        tracks = client.get(reverse("reports:fast_tracks"), QUERY).context["figures"]
        assert (f["fast_tracks"]["handled"], f["fast_tracks"]["share"]) == (tracks.total.handled, tracks.share)
        expected = 4 if oktmo else 6
        assert f["key"]["received"] == expected and f["key"]["received_before"] == 2
        assert client.get(f["key"]["urls"]["received"].removeprefix("http://127.0.0.1:8000")
                          ).context["page"].total == expected  # the link lists exactly the counted appeals
    mcu = WeeklyNote.objects.get(centre=_centre(PESTRAVKA)).figures
    assert mcu["key"]["change_pct"] == 100.0 and mcu["key"]["late"] == 1
    assert [s["name"] for s in mcu["sectors"]][:2] == ["Жилищно-коммунальное хозяйство", "Дорожная деятельность"]
    assert mcu["sectors"][0]["received"] == 3 and mcu["sectors"][0]["before"] == 2
    assert mcu["fast_tracks"]["handled"] == 1 and "+100" in WeeklyNote.objects.get(centre=_centre(PESTRAVKA)).summary


def test_the_docx_opens_and_has_every_section(weeks):
    note = note_build(centre=_centre(PESTRAVKA), week=WEEK)
    note = note_edit(note=note, by=user("pestravka_head"), summary=note.summary,
                     proposals="Поручить МУП «ЖКХ» обследовать сеть на ул. Молодёжной до 25.03.")
    document = Document(io.BytesIO(note_docx(note)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [title for _, title in outline.SECTIONS]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Поручить МУП «ЖКХ» обследовать" in text and "Пестравский" in text
    assert len(document.inline_shapes) == 3  # channels, sectors, the heat map
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Поступило" in cells and "4" in cells


def test_the_pdf_renders_and_page_one_becomes_a_picture(weeks):
    note = note_build(centre=_centre(PESTRAVKA), week=WEEK)
    body = note_pdf(note)
    assert body.startswith(b"%PDF") and len(body) > 20_000
    if not shutil.which("pdftoppm"):
        message = "pdftoppm not found: install Debian's poppler-utils to turn the PDF into a picture"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "weekly-note.pdf"
    source.write_bytes(body)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(ARTIFACTS / "weekly-note-page1")], check=True, timeout=60)
    picture = ARTIFACTS / "weekly-note-page1.png"
    assert picture.exists() and picture.stat().st_size > 10_000


def test_a_final_note_keeps_its_numbers_when_the_data_changes(make_appeal, weeks):
    note = note_build(centre=_centre(PESTRAVKA), week=WEEK)
    note = note_finalise(note=note, by=user("pestravka_head"))
    frozen = dict(note.figures)
    make_appeal(PESTRAVKA, "housing_utilities", received_at=at(14))
    rollups_refresh(now=datetime(2024, 3, 26, tzinfo=SAMARA))
    with pytest.raises(NoteRefused):
        note_build(centre=_centre(PESTRAVKA), week=WEEK)
    with pytest.raises(NoteRefused):
        note_edit(note=note, by=user("pestravka_head"), summary="другое", proposals="")
    notes_build_all(week=WEEK)  # the Monday job keeps it too
    note.refresh_from_db()
    assert note.figures == frozen and note.figures["key"]["received"] == 4
    fresh = note_build(centre=_centre(None), week=WEEK)  # a draft follows the data: the new appeal counts
    assert fresh.figures["key"]["received"] == 7


def test_only_the_centre_writes_its_note_and_only_its_head_finalises(client, weeks):
    note = note_build(centre=_centre(PESTRAVKA), week=WEEK, by=user("pestravka_operator"))
    with pytest.raises(Forbidden):
        note_edit(note=note, by=user("cur_operator"), summary="x", proposals="")  # the ЦУР reads, the МЦУ writes
    with pytest.raises(Forbidden):
        note_finalise(note=note, by=user("pestravka_operator"))  # the head signs it off
    with pytest.raises(Forbidden):
        note_build(centre=_centre(PESTRAVKA), week=WEEK, by=user("tolyatti_operator"))
    note = note_edit(note=note, by=user("pestravka_operator"), summary="Кратко", proposals="Предложение")
    with pytest.raises(NoteRefused):  # a page read before that edit
        note_edit(note=note, by=user("pestravka_operator"), summary="x", proposals="", expected_version=1)
    url = reverse("reports:note", args=[note.pk])
    for username, status in (("pestravka_head", 200), ("cur_operator", 200), ("cur_curator", 200),
                             ("tolyatti_operator", 404), ("pestravka_zhkh", 404), ("executor_pestravka_zhkh", 404)):
        client.force_login(user(username))
        assert client.get(url).status_code == status, username
        assert client.get(reverse("reports:note_download", args=[note.pk, "docx"])).status_code == status, username
    client.force_login(user("pestravka_head"))
    page = client.get(url).content.decode()
    assert 'id="note-edit"' in page and 'id="note-finalise"' in page
    client.force_login(user("cur_operator"))
    assert 'id="note-edit"' not in client.get(url).content.decode()
    response = client.post(reverse("reports:note_finalise", args=[note.pk]), {"version": note.version})
    note.refresh_from_db()
    assert response.status_code == 302 and not note.is_final


def test_the_monday_job_builds_every_centres_note_on_its_own_queue(weeks, settings):
    assert last_week(date(2024, 3, 18)) == WEEK and last_week(date(2024, 3, 24)) == WEEK
    report = notes_build_all(week=WEEK)
    assert report.built == Centre.objects.count() and report.kept_final == 0
    assert WeeklyNote.objects.filter(week=WEEK).count() == Centre.objects.count()
    assert celery_app.amqp.router.route({}, weekly_notes_build.name)["queue"].name == DOCUMENTS_QUEUE
    schedule = celery_app.conf.beat_schedule["build-weekly-notes"]
    assert schedule["task"] == weekly_notes_build.name and schedule["options"]["queue"] == DOCUMENTS_QUEUE
    assert schedule["schedule"].day_of_week == {1}
