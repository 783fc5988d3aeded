"""The masking walk (issue 11): an appeal carrying a name, a phone, an e-mail, a home address with a flat,
a passport and a СНИЛС in its title, text, answer and the citizen's fields, joined into a Problem, is
looked for through EVERY page, fragment, export and API endpoint by each role that must see personal
data masked (152-ФЗ: the curator, the sector head, the integrator) — and found nowhere.

The URLs come from the URLconf: a pattern this walk does not know fails the test, so a new page that
shows appeals cannot be left out of it silently."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from appeals.attachments.services import attachments_add
from appeals.intake.items import Rejected
from appeals.intake.upsert import appeals_upsert
from appeals.lifecycle import transitions
from appeals.models import Appeal, Problem, QuarantinedItem, Status
from appeals.problems import services as problem_services
from appeals.search.index import search_index_pending
from cur.models import Agency, Centre
from municipalities.models import Municipality
from reports.indicators.services import report_open, report_values_save
from reports.models import IndicatorReport
from reports.roadmaps.services import roadmap_open
from reports.weekly.services import note_build
from rollups.area_drill import drill as area_drill
from rollups.selectors import Drill
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db

MASKED_ROLES = ["cur_curator", "pestravka_zhkh", "cur_integrator"]

NAME = "Кузнецова Ольга Викторовна"
PHONE = "+7 927 555-13-97"
EMAIL = "kuznetsova.o@example.org"
HOME = "ул. Садовая, д. 12, кв. 34"
PASSPORT = "паспорт 36 10 478215"
SNILS = "112-233-445 95"
EVERYTHING = f"{NAME}, {PHONE}, {EMAIL}, {PASSPORT}, СНИЛС {SNILS}"

# What must never be seen: each value and its obvious pieces (a surname in any case, the digits of the
# phone as people write them, the street and the flat of the home, the document numbers).
SECRETS = [
    NAME, "кузнецов", "ольга викторовна", "ольге", "викторовн",
    PHONE, "555-13-97", "555 13 97", "5551397", "927 555",
    EMAIL, "kuznetsova", "o@example.org",
    # «садов» alone would also be the village Садовка of the district's settlement list
    HOME, "садовая", "садовой", "садовую", "кв. 34", "кв.34", "квартира 34",
    PASSPORT, "478215", "36 10 4",
    SNILS, "112-233-445", "11223344595",
]


@dataclass
class Seed:
    main: Appeal  # everything everywhere
    twin: Appeal  # the same question, in the same Problem: the similar panel shows `main` on its card
    untitled: Appeal  # no title: lists show the beginning of its text
    api: Appeal  # came in through the REST channel: the integrator may post it again
    problem_id: int
    quarantined_id: int
    note_id: int  # the ЦУР's weekly note of the seeded week: its typical problems quote the Problem's title
    report_id: int  # a МЦУ's indicator report whose comment names the citizen
    roadmap_id: int  # a roadmap opened from the seeded Problem (its evidence quotes the Problem's title)

    @property
    def report_first(self) -> str:
        return IndicatorReport.objects.get(pk=self.report_id).period_first.isoformat()


@pytest.fixture
def seed(make_appeal, settings, tmp_path) -> Seed:
    settings.MEDIA_ROOT = tmp_path  # the seeded file stays out of var/media
    operator, executor = user("pestravka_operator"), user("executor_pestravka_zhkh")
    common = dict(agency="mup_zhkh_pestravskiy", address="ул. Молодёжная, д. 5", citizen_name=NAME,
                  citizen_phone=PHONE, citizen_email=EMAIL,
                  citizen_address=f"446160, Самарская обл., с. Пестравка, {HOME}")
    main = make_appeal(
        PESTRAVKA, kind="appeal", channel="letter", status=Status.NEW, due_at=None, **common,
        title=f"{NAME} ({PHONE}, {EMAIL}), {HOME}, {PASSPORT}, СНИЛС {SNILS}: нет горячей воды",
        text=(f"Третий день нет горячей воды в доме 5 по ул. Молодёжной. Проживаю по адресу: {HOME}. "
              f"{NAME}, тел. {PHONE}, эл. почта {EMAIL}, {PASSPORT}, СНИЛС {SNILS}."),
    )
    main = transitions.appeal_register(appeal=main, by=operator)
    main = transitions.appeal_assign(appeal=main, agency=Agency.objects.get(code="mup_zhkh_pestravskiy"), by=operator)
    main = transitions.appeal_request_clarification(
        appeal=main, by=operator, question=f"{NAME}, уточните, пожалуйста, ваш адрес: {HOME}?")
    main = transitions.appeal_receive_clarification(appeal=main, by=operator,
                                                  text=f"Гражданка ответила: {HOME}, тел. {PHONE}")
    transitions.answer_submit(appeal=main, by=executor, text=(
        f"Уважаемая {NAME}! По вашему адресу {HOME} подача горячей воды восстановлена, стояк заменён. "
        f"Мастер перезвонит на {PHONE}; копия ответа на {EMAIL}. Ваш {PASSPORT} и СНИЛС {SNILS} не требуются."))
    # a scan named after the citizen: its name is shown (list, download) as the role may read it
    scan = io.BytesIO()
    Image.new("RGB", (40, 30)).save(scan, "PNG")
    attachments_add(appeal=main, by=operator, files=[SimpleUploadedFile(f"{NAME} {PASSPORT}.png", scan.getvalue())])
    twin = make_appeal(PESTRAVKA, status=Status.IN_PROGRESS, **common,
                       title=f"Нет горячей воды, пишет {NAME}, {HOME}, {PHONE}",
                       text=f"Нет горячей воды в доме 5 по ул. Молодёжной уже третий день. {EVERYTHING}")
    # …and its place of the problem, as structuring may take it from the text, is a flat: a home address
    untitled = make_appeal(PESTRAVKA, status=Status.IN_PROGRESS, **{**common, "address": HOME},
                           text=f"{EVERYTHING}, {HOME}. Нет горячей воды в доме 5 по ул. Молодёжной")
    api = make_appeal(PESTRAVKA, channel="api", external_id="WALK-1", **common,
                      title=f"{NAME}: нет горячей воды", text=f"Нет горячей воды. {EVERYTHING}, {HOME}")
    problem = problem_services.problem_join(appeal=Appeal.objects.get(pk=main.pk), other=Appeal.objects.get(pk=twin.pk),
                                    by=operator)
    region = Municipality.objects.get(oktmo=PESTRAVKA).region
    appeals_upsert(region=region, items=[], rejected=[Rejected(
        source=QuarantinedItem.Source.FILE, payload=json.dumps({"text": EVERYTHING, "address": HOME}),
        reason="нет текста", external_id="WALK-Q", municipality_id=main.municipality_id)])
    search_index_pending()
    rollups_refresh()
    note = note_build(centre=Centre.objects.get(level="region", region=region),
                      week=timezone.localdate(main.received_at))
    report = report_open(centre=Centre.objects.get(municipality__oktmo=PESTRAVKA), kind="quarter",
                         first=timezone.localdate(), by=operator)
    report = report_values_save(report=report, by=operator, entries={
        v.indicator_id: ("3", f"жалоба {NAME}, {PHONE}") for v in report.values.filter(indicator__method="manual")})
    return Seed(main=Appeal.objects.get(pk=main.pk), twin=twin, untitled=untitled, api=api, problem_id=problem.pk,
                quarantined_id=QuarantinedItem.objects.get(external_id="WALK-Q").pk, note_id=note.pk,
                report_id=report.pk, roadmap_id=roadmap_open(
                    by=operator, title="Горячая вода", root_cause="Изношенный стояк",
                    problem=Problem.objects.get(pk=problem.pk)).pk)


@dataclass
class Visit:
    method: str
    path: str
    data: dict = field(default_factory=dict)
    shows: str = ""  # a non-personal piece of the seeded appeal the page must show (the walk saw it)
    json: bool = False


def get(path, shows="", **params) -> Visit:
    return Visit("GET", path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""),
                 shows=shows)


def post(path, **data) -> Visit:
    return Visit("POST", path, data)


def act(action: str, **data):
    """A visit of the seeded appeal's API action `action` with a JSON body."""
    return lambda s: [Visit("POST", f"/api/v1/appeals/{s.main.pk}/{action}/", json=True, data=data)]


WATER = "горячей воды"

# Every URL pattern by name, with how to visit it. Each visit is checked for every secret.
WALK: dict[str, Callable[[Seed], list[Visit]]] = {
    "home": lambda s: [get(reverse("home"))],  # a curator's and a sector head's home is the dashboard: no texts
    "healthz": lambda s: [get(reverse("healthz"))],
    "login": lambda s: [get(reverse("login"))],
    "<unnamed favicon.ico>": lambda s: [get("/favicon.ico")],
    "logout": lambda s: [],  # walked last (it ends the session), below
    # the citizen's own page, opened by the signed link sent to them only: whoever lacks the link gets nothing
    "verdict": lambda s: [get(reverse("verdict", args=[f"{s.main.pk}:forged:token"]))],
    "heatmap:index": lambda s: [get(reverse("heatmap:index")), get(reverse("heatmap:index"), period="year",
                                                                  measure="late_share")],
    "heatmap:municipality": lambda s: [get(reverse("heatmap:municipality", args=[s.main.municipality_id]),
                                           period="year")],
    "heatmap:geo": lambda s: [get(reverse("heatmap:geo"))],
    "heatmap:dashboard": lambda s: [get(reverse("heatmap:dashboard")), get(reverse("heatmap:dashboard"),
                                                                          period="year")],
    "heatmap:slices": lambda s: [get(reverse("heatmap:slices"), rows="settlement", cols="status", period="year"),
                                 get(reverse("heatmap:slices"), rows="agency", cols="month", period="year")],
    "heatmap:slice_export": lambda s: [get(reverse("heatmap:slice_export"), rows="settlement", cols="agency",
                                           period="year", format=f) for f in ("xlsx", "csv")],
    "heatmap:slice_save": lambda s: [post(reverse("heatmap:slice_save"), rows="subtopic", name="Проверка")],
    "heatmap:conflicts": lambda s: [get(reverse("heatmap:conflicts"), status="all")],
    # a situation's page and move: numbers and names of places only; another territory's is 404
    "heatmap:situation": lambda s: [get(reverse("heatmap:situation", args=[1]))],
    "heatmap:situation_move": lambda s: [post(reverse("heatmap:situation_move", args=[1]), to="under_review")],
    "reports:fast_tracks": lambda s: [get(reverse("reports:fast_tracks"), period="year")],
    "reports:index": lambda s: [get(reverse("reports:index"))],  # a redirect to the notes: it shows nothing
    "reports:notes": lambda s: [get(reverse("reports:notes"))],
    "reports:note_build": lambda s: [post(reverse("reports:note_build"))],
    "reports:note": lambda s: [get(reverse("reports:note", args=[s.note_id]))],
    "reports:note_edit": lambda s: [post(reverse("reports:note_edit", args=[s.note_id]))],
    "reports:note_finalise": lambda s: [post(reverse("reports:note_finalise", args=[s.note_id]))],
    "reports:note_rebuild": lambda s: [post(reverse("reports:note_rebuild", args=[s.note_id]))],
    "reports:note_chart": lambda s: [get(reverse("reports:note_chart", args=[s.note_id, "sectors"]))],
    "reports:note_download": lambda s: [get(reverse("reports:note_download", args=[s.note_id, kind]))
                                        for kind in ("docx", "pdf")],
    "reports:indicators": lambda s: [get(reverse("reports:indicators")),
                                     get(reverse("reports:indicators"), kind="quarter", first=s.report_first)],
    "reports:indicator_open": lambda s: [post(reverse("reports:indicator_open"), period=f"quarter|{s.report_first}")],
    "reports:indicators_export": lambda s: [get(reverse("reports:indicators_export"), kind="quarter",
                                                first=s.report_first)],
    "reports:indicator_catalogue": lambda s: [get(reverse("reports:indicator_catalogue"))],
    "reports:indicator_import": lambda s: [post(reverse("reports:indicator_import"))],
    "reports:indicator_report": lambda s: [get(reverse("reports:indicator_report", args=[s.report_id]))],
    "reports:indicator_save": lambda s: [post(reverse("reports:indicator_save", args=[s.report_id]))],
    "reports:indicator_recompute": lambda s: [post(reverse("reports:indicator_recompute", args=[s.report_id]))],
    "reports:indicator_accept": lambda s: [post(reverse("reports:indicator_accept", args=[s.report_id]))],
    "reports:indicator_return": lambda s: [post(reverse("reports:indicator_return", args=[s.report_id]),
                                                reason="проверка")],
    "reports:indicator_export": lambda s: [get(reverse("reports:indicator_export", args=[s.report_id, kind]))
                                           for kind in ("xlsx", "docx")],
    "reports:roadmaps": lambda s: [get(reverse("reports:roadmaps"))],
    "reports:roadmap_new": lambda s: [get(reverse("reports:roadmap_new"), problem=s.problem_id),
                                      post(reverse("reports:roadmap_new"), problem=s.problem_id)],
    "reports:roadmap": lambda s: [get(reverse("reports:roadmap", args=[s.roadmap_id]))],
    "reports:roadmap_measure_add": lambda s: [post(reverse("reports:roadmap_measure_add", args=[s.roadmap_id]))],
    "reports:roadmap_measure_done": lambda s: [post(reverse("reports:roadmap_measure_done", args=[s.roadmap_id, 1]))],
    "reports:roadmap_approve": lambda s: [post(reverse("reports:roadmap_approve", args=[s.roadmap_id]))],
    "reports:roadmap_close": lambda s: [post(reverse("reports:roadmap_close", args=[s.roadmap_id]))],
    "reports:roadmap_export": lambda s: [get(reverse("reports:roadmap_export", args=[s.roadmap_id, kind]))
                                         for kind in ("docx", "xlsx")],
    "notifications": lambda s: [get(reverse("notifications"))],
    "notification_open": lambda s: [get(reverse("notification_open", args=[1]))],
    "ratings:index": lambda s: [get(reverse("ratings:index")), get(reverse("ratings:index"), period="year")],
    "ratings:municipalities": lambda s: [get(reverse("ratings:municipalities"))],
    "ratings:agency": lambda s: [get(reverse("ratings:agency", args=[s.main.agency_id]), period="year")],
    "ratings:methodology": lambda s: [get(reverse("ratings:methodology"))],
    "ratings:export": lambda s: [get(reverse("ratings:export"), format=f, level=level)
                                 for f in ("xlsx", "csv") for level in ("agency", "municipality")],
    "api-ratings": lambda s: [get("/api/v1/ratings/", period="year")],
    "appeals:list": lambda s: [
        get(reverse("appeals:list"), shows=WATER), get(reverse("appeals:list"), order="deadline"),
        get(reverse("appeals:list"), shows="<mark>", q="горячей+воды"),
        get(reverse("appeals:list"), q="горячей+воды", order="relevance"),
        get(reverse("appeals:list"), q="воды", after=str(s.api.pk + 1)),
        get(reverse("appeals:list"), shows=WATER, after=str(s.api.pk + 1)),
        # a figure of the ratings: the appeals it counted (the seeded one among them), masked as everywhere
        get(reverse("appeals:list"), shows=WATER, rating=str(Drill("received", "a", s.main.agency_id,
                                                                  date.today() - timedelta(days=400),
                                                                  date.today() + timedelta(days=1)))),
        # a figure of the heat map: likewise
        get(reverse("appeals:list"), shows=WATER, area=area_drill("received", date.today() - timedelta(days=400),
                                                                  date.today() + timedelta(days=1),
                                                                  municipality=s.main.municipality_id)),
    ],
    "appeals:export_csv": lambda s: [get(reverse("appeals:export_csv"), shows=WATER),
                                     get(reverse("appeals:export_csv"), q="воды")],
    "appeals:export_xlsx": lambda s: [get(reverse("appeals:export_xlsx"), shows=WATER),
                                      get(reverse("appeals:export_xlsx"), q="воды")],
    # a large export's page and file: its owner's only (tests/appeals/test_exports.py), 404 for anybody else
    "appeals:export_job": lambda s: [get(reverse("appeals:export_job", args=[1]))],
    "appeals:export_download": lambda s: [get(reverse("appeals:export_download", args=[1]))],
    "appeals:answer_hints": lambda s: [post(reverse("appeals:answer_hints", args=[s.main.pk]),
                                            text="Вопрос на контроле.", action="answer_final")],
    "appeals:bulk": lambda s: [post(reverse("appeals:bulk"), action="close")],
    # the body picker: names of bodies, asked about the seeded appeal
    "appeals:agency_suggest": lambda s: [get(reverse("appeals:agency_suggest"), q="жкх", appeal=str(s.main.pk))],
    "appeals:saved_filter_save": lambda s: [post(reverse("appeals:saved_filter_save"), name="Вода", query="q=воды")],
    "appeals:saved_filter_delete": lambda s: [post(reverse("appeals:saved_filter_delete", args=[999999]))],
    "appeals:register": lambda s: [get(reverse("appeals:register"))],
    "appeals:imports": lambda s: [get(reverse("appeals:imports"))],
    "appeals:import_detail": lambda s: [get(reverse("appeals:import_detail", args=[1]))],
    "appeals:quarantine": lambda s: [get(reverse("appeals:quarantine"))],
    "appeals:quarantine_detail": lambda s: [get(reverse("appeals:quarantine_detail", args=[s.quarantined_id]))],
    "appeals:problems": lambda s: [get(reverse("appeals:problems"), shows=WATER)],
    "appeals:problem": lambda s: [get(reverse("appeals:problem", args=[s.problem_id]), shows=WATER)],
    "appeals:problem_merge": lambda s: [post(reverse("appeals:problem_merge", args=[s.problem_id]),
                                             into=str(s.problem_id))],
    "appeals:problem_split": lambda s: [post(reverse("appeals:problem_split", args=[s.problem_id]))],
    "appeals:problem_detach": lambda s: [post(reverse("appeals:problem_detach", args=[s.problem_id, s.untitled.pk]))],
    "appeals:attachments_upload": lambda s: [post(reverse("appeals:attachments_upload", args=[s.main.pk]))],
    "appeals:attachment": lambda s: [get(reverse("appeals:attachment", args=[a.pk])) for a in s.main.attachments.all()],
    "appeals:attachment_thumb": lambda s: [get(reverse("appeals:attachment_thumb", args=[a.pk]))
                                           for a in s.main.attachments.all()],
    "appeals:detail": lambda s: [get(a.get_absolute_url(), shows=WATER) for a in (s.main, s.twin, s.untitled, s.api)],
    "appeals:correct": lambda s: [post(reverse("appeals:correct", args=[s.main.pk]))],
    "appeals:similar": lambda s: [get(reverse("appeals:similar", args=[a.pk]), shows=WATER)
                                  for a in (s.main, s.twin, s.untitled)],
    "appeals:problem_join": lambda s: [post(reverse("appeals:problem_join", args=[s.main.pk, s.main.pk]))],
    "appeals:action": lambda s: [post(reverse("appeals:action", args=[s.main.pk, name]))
                                 for name in ("register", "close", "request_clarification", "answer_final")],
    "api-appeal-list": lambda s: [
        get("/api/v1/appeals/", shows=WATER), get("/api/v1/appeals/", q="горячей+воды"),
        get("/api/v1/appeals/", order="deadline"),
        # the integrator posts the REST item again (as a retry would): the answer is the appeal, masked
        Visit("POST", "/api/v1/appeals/", json=True, data={
            "external_id": s.api.external_id, "title": s.api.title, "text": s.api.text, "version": 0,
            "citizen_name": NAME, "citizen_email": EMAIL, "citizen_phone": PHONE}),
    ],
    "api-appeal-detail": lambda s: [get(f"/api/v1/appeals/{a.pk}/", shows=WATER)
                                    for a in (s.main, s.twin, s.untitled, s.api)],
    # the API's actions, problems, reference lists, heat map and imports (api/v1/): a masked role is refused the
    # actions, and neither a refusal nor a list quotes the citizen
    "api-appeal-register": act("register"),
    "api-appeal-assign": act("assign", agency="mup_zhkh_pestravskiy"),
    "api-appeal-forward": act("forward", agency="adm_pestravskiy_mr", reason="не наш вопрос"),
    "api-appeal-request-clarification": act("request-clarification", question="Уточните адрес"),
    "api-appeal-extend": act("extend", days=5, reason="проверка"),
    "api-appeal-interim-answer": act("interim-answer", text="Работы ведутся"),
    "api-appeal-answer": act("answer", text="Вода подана 03.12.2026"),
    "api-appeal-close": act("close"),
    "api-problem-list": lambda s: [get("/api/v1/problems/")],
    "api-problem-detail": lambda s: [get(f"/api/v1/problems/{s.problem_id}/")],
    "api-reference-sectors": lambda s: [get("/api/v1/reference/sectors/")],
    "api-reference-subtopics": lambda s: [get("/api/v1/reference/subtopics/")],
    "api-reference-municipalities": lambda s: [get("/api/v1/reference/municipalities/")],
    "api-reference-settlements": lambda s: [get("/api/v1/reference/settlements/",
                                                municipality=s.main.municipality_id)],
    "api-reference-agencies": lambda s: [get("/api/v1/reference/agencies/")],
    "api-heatmap": lambda s: [get("/api/v1/heatmap/", period="year")],
    "api-heatmap-municipality": lambda s: [get(f"/api/v1/heatmap/municipalities/{s.main.municipality_id}/",
                                               period="year")],
    "api-import-job-list": lambda s: [get("/api/v1/import-jobs/")],
    "api-import-job-detail": lambda s: [get("/api/v1/import-jobs/1/")],
    # the integrator's pages and the schema: public, about the API, never about an appeal
    "api-schema": lambda s: [get("/api/schema/")],
    "api-docs": lambda s: [get("/api/docs/")],
    "api-redoc": lambda s: [get("/api/redoc/")],
    "api-guide": lambda s: [get("/api/guide/")],
    "api-guide-page": lambda s: [get(f"/api/guide/{name}/") for name in ("webhooks", "open311", "integrations")],
    "<unnamed ^api/>": lambda s: [get("/api/v1/nothing/")],
    # Open311 (docs/open311.md): public, the same answer for everyone — masked texts, never a name or a contact
    "open311-discovery": lambda s: [get("/open311/v2/discovery.json")],
    "open311-services": lambda s: [get("/open311/v2/services.json"), get("/open311/v2/services.xml")],
    "open311-service": lambda s: [get(f"/open311/v2/services/{s.twin.subtopic.code}.json")],
    "open311-requests": lambda s: [get("/open311/v2/requests.json", shows=WATER),
                                   get("/open311/v2/requests.xml", shows=WATER)],
    "open311-request": lambda s: [get(f"/open311/v2/requests/{a.number}.{fmt}") for a in (s.main, s.twin, s.untitled)
                                  for fmt in ("json", "xml")],
    "open311-token": lambda s: [get(f"/open311/v2/tokens/{s.twin.number}.json")],
    "open311-not-found": lambda s: [get("/open311/v2/nothing.json")],
}


def admin_visits(s: Seed) -> list[Visit]:
    """The admin is for staff: a masked role is sent to its login, never shown an appeal."""
    return [get("/admin/"), get(f"/admin/appeals/appeal/{s.main.pk}/change/")]


def url_names() -> set[str]:
    """Every named pattern of the URLconf ("namespace:name"), the admin's aside (admin_visits)."""
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(":".join(filter(None, [namespace, pattern.name or f"<unnamed {pattern.pattern}>"])))

    walk(get_resolver().url_patterns, "")
    return names


def test_the_walk_knows_every_url_of_the_site():
    unknown = url_names() - set(WALK)
    assert not unknown, f"the masking walk does not know {sorted(unknown)}: add how to visit each to WALK"


def text_of(response) -> str:
    """What a response shows, as a person or a program reading it would see it."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(content))  # every sheet: the documents put their table after an «about»
        return "\n".join(str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                         if cell.value is not None)
    if "wordprocessingml" in kind:
        document = Document(io.BytesIO(content))
        return "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for row in t.rows for c in row.cells])
    text = content.decode("utf-8-sig", errors="replace")
    if "json" in kind:
        text += json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text) + " " + " ".join(f"{k}: {v}" for k, v in response.items())


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [secret for secret in SECRETS if secret.lower() in lowered]


@pytest.mark.parametrize("username", MASKED_ROLES)
def test_no_page_export_or_endpoint_shows_personal_data_to_a_masked_role(client, seed, username):
    client.force_login(user(username))
    present = url_names()  # (whether every pattern is walked is the test above)
    builders = [build for name, build in WALK.items() if name in present] + [admin_visits]
    visits = [visit for build in builders for visit in build(seed)]
    found, seen = [], []
    for visit in visits:
        if visit.method == "GET":
            response = client.get(visit.path, follow=True)
        elif visit.json:
            response = client.post(visit.path, data=json.dumps(visit.data), content_type="application/json")
        else:
            response = client.post(visit.path, visit.data, follow=True)
        text = text_of(response)
        if leaked := leaks(text):
            found.append(f"{visit.method} {visit.path} [{response.status_code}]: {leaked}")
        if visit.shows:
            seen.append((visit.path, response.status_code == 200 and visit.shows.lower() in text.lower()))
    response = client.post(reverse("logout"), follow=True)
    if leaked := leaks(text_of(response)):
        found.append(f"POST logout: {leaked}")
    assert found == [], "\n".join(found)
    # the walk saw the appeal where the role may see it (a page that showed nothing proves nothing)
    assert [path for path, ok in seen if not ok] == []


SEARCHED = [NAME, "Кузнецова", "Кузнецову", "Ольга Викторовна", PHONE, "89275551397", "9275551397",
            "555-13-97", EMAIL, "kuznetsova", "Садовая", "Садовой 12", "кв. 34", "478215", "36 10 478215",
            SNILS, "112-233-445"]


@pytest.mark.parametrize("username", MASKED_ROLES)
def test_searching_by_personal_data_finds_nothing_for_a_masked_role(client, seed, username):
    client.force_login(user(username))
    ours = {seed.main.pk, seed.twin.pk, seed.untitled.pk, seed.api.pk}
    for typed in SEARCHED:
        page = client.get(reverse("appeals:list"), {"q": typed})
        assert page.status_code == 200, typed
        assert page.context["page"].found == 0 and not ours & {a.pk for a in page.context["appeals"]}, typed
        api = client.get("/api/v1/appeals/", {"q": typed}).json()
        assert api["search"]["found"] == 0 and api["results"] == [], typed
    # …while what the appeals are about is found, and the roles that work with the citizen find them by it
    assert ours <= {a.pk for a in client.get(reverse("appeals:list"), {"q": "горячей воды"}).context["appeals"]}
    client.force_login(user("pestravka_operator"))
    for typed in ("Кузнецова", "9275551397", "Садовая"):
        assert seed.main.pk in {a.pk for a in client.get(reverse("appeals:list"), {"q": typed}).context["appeals"]}


def test_the_weekly_note_quotes_the_problem_and_masks_the_citizen(client, seed):
    """The walk above finds nothing personal in the note; here the note does show the seeded Problem (so the
    walk looked at a note that quotes it) — on the page and in the DOCX, to the curator who reads it."""
    client.force_login(user("cur_curator"))
    for path in (reverse("reports:note", args=[seed.note_id]),
                 reverse("reports:note_download", args=[seed.note_id, "docx"])):
        text = text_of(client.get(path))
        assert WATER in text.lower() and leaks(text) == [], path


def test_an_indicator_reports_comment_reaches_the_curator_masked(client, seed):
    client.force_login(user("cur_curator"))
    for path in (reverse("reports:indicator_report", args=[seed.report_id]),
                 reverse("reports:indicator_export", args=[seed.report_id, "xlsx"]),
                 reverse("reports:indicator_export", args=[seed.report_id, "docx"])):
        text = text_of(client.get(path))
        assert "жалоба [" in text.lower() and leaks(text) == [], path
