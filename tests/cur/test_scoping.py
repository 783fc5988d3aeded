"""Each role sees exactly its part of the data — through every page, the API and the export."""

import pytest
from django.urls import reverse

from appeals.models import Appeal
from cur.scoping import scope_appeals
from tests.personas import PESTRAVKA, TOLYATTI, client_token, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeals(make_appeal):
    """Two appeals in Пестравский (ЖКХ for the МУП, roads for the administration), one in Тольятти."""
    return {
        "pestravka_housing": make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy",
                                         text="Нет холодной воды в с. Пестравка"),
        "pestravka_roads": make_appeal(PESTRAVKA, "roads", agency="adm_pestravskiy_mr",
                                       text="Яма на дороге у школы в Пестравке"),
        "tolyatti": make_appeal(TOLYATTI, "housing_utilities", text="Течёт крыша в Автозаводском районе"),
    }


VISIBLE = {
    "cur_operator": {"pestravka_housing", "pestravka_roads", "tolyatti"},
    "cur_curator": {"pestravka_housing", "pestravka_roads", "tolyatti"},
    "cur_integrator": {"pestravka_housing", "pestravka_roads", "tolyatti"},
    "pestravka_operator": {"pestravka_housing", "pestravka_roads"},
    "pestravka_head": {"pestravka_housing", "pestravka_roads"},
    "pestravka_zhkh": {"pestravka_housing"},
    "tolyatti_operator": {"tolyatti"},
    "volzhsky_operator": set(),
    "executor_pestravka_zhkh": {"pestravka_housing"},
    "executor_pestravka_adm": {"pestravka_roads"},
    "executor_minobr": set(),
}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_scopes_appeals_per_role(appeals, username):
    seen = set(scope_appeals(Appeal.objects.all(), user(username)).values_list("pk", flat=True))
    assert seen == {appeals[key].pk for key in VISIBLE[username]}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_shows_each_role_only_its_appeals_in_the_list(client, appeals, username):
    client.force_login(user(username))
    response = client.get(reverse("appeals:list"))
    assert response.status_code == 200
    shown = {a.pk for a in response.context["appeals"]}
    assert shown == {appeals[key].pk for key in VISIBLE[username]}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_opens_the_card_only_inside_the_scope(client, appeals, username):
    client.force_login(user(username))
    for key, appeal in appeals.items():
        response = client.get(reverse("appeals:detail", args=[appeal.pk]))
        assert response.status_code == (200 if key in VISIBLE[username] else 404), key


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_scopes_the_api_list_and_detail(client, appeals, username):
    client.force_login(user(username))
    body = client.get("/api/v1/appeals/").json()
    assert {row["id"] for row in body["results"]} == {appeals[key].pk for key in VISIBLE[username]}
    for key, appeal in appeals.items():
        response = client.get(f"/api/v1/appeals/{appeal.pk}/")
        assert response.status_code == (200 if key in VISIBLE[username] else 404), key
        if response.status_code == 404:
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_scopes_the_csv_export(client, appeals, username):
    client.force_login(user(username))
    response = client.get(reverse("appeals:export_csv"))
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    numbers = {line.split(";")[0] for line in lines[1:]}
    assert numbers == {appeals[key].number for key in VISIBLE[username]}


def test_a_pestravka_operator_cannot_reach_a_tolyatti_appeal_through_any_page(client, appeals):
    client.force_login(user("pestravka_operator"))
    tolyatti = appeals["tolyatti"]
    pages = [
        reverse("home"), reverse("appeals:list"), f"{reverse('appeals:list')}?municipality={tolyatti.municipality_id}",
        reverse("appeals:export_csv"), "/api/v1/appeals/", reverse("heatmap:index") + "?days=365",
        reverse("ratings:index") + "?days=365", reverse("heatmap:dashboard") + "?period=year",
        reverse("heatmap:slices") + "?period=year&rows=municipality&cols=settlement",
        reverse("heatmap:slice_export") + "?period=year&rows=agency&format=csv",
        reverse("heatmap:conflicts") + "?status=all", reverse("heatmap:geo"),
        reverse("heatmap:municipality", args=[appeals["pestravka_housing"].municipality_id]) + "?period=year",
    ]
    for page in pages:
        response = client.get(page)
        content = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        assert tolyatti.text not in content, page
        assert "Тольятти" not in content or page.endswith("municipality=" + str(tolyatti.municipality_id)), page
    assert client.get(reverse("appeals:detail", args=[tolyatti.pk])).status_code == 404
    assert client.get(f"/api/v1/appeals/{tolyatti.pk}/").status_code == 404


def test_filter_choices_do_not_leak_other_municipalities(client, appeals):
    client.force_login(user("pestravka_operator"))
    form = client.get(reverse("appeals:list")).context["filter"].form
    names = {str(m) for m in form.fields["municipality"].queryset}
    assert names == {"Пестравский район"}


def test_an_integrator_reads_the_api_with_a_token(client, appeals):
    token = client_token("cur_integrator")
    response = client.get("/api/v1/appeals/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_anonymous_users_see_nothing(client, appeals):
    assert client.get(reverse("appeals:list")).status_code == 302
    assert client.get(reverse("appeals:detail", args=[appeals["tolyatti"].pk])).status_code == 302
    assert client.get("/api/v1/appeals/").status_code in (401, 403)


def test_a_user_without_a_role_sees_nothing(client, appeals, django_user_model):
    client.force_login(django_user_model.objects.create_user("stranger", password="x-very-long-pass"))
    assert list(client.get(reverse("appeals:list")).context["appeals"]) == []


@pytest.mark.parametrize(("username", "masked"), [
    ("pestravka_operator", False), ("executor_pestravka_zhkh", False),
    ("pestravka_zhkh", True), ("cur_curator", True), ("cur_integrator", True),
])
def test_it_masks_personal_data_for_roles_that_do_not_need_it(client, appeals, username, masked):
    client.force_login(user(username))
    appeal = appeals["pestravka_housing"]
    card = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    api = client.get(f"/api/v1/appeals/{appeal.pk}/").json()["citizen"]
    assert ("Петрова Анна Сергеевна" in card) is not masked
    assert ("petrova@example.ru" in card) is not masked
    assert (api["name"] == "Петрова Анна Сергеевна") is not masked
    if masked:
        assert api["name"] == "П*** А. С."


# --- Writes (issue 11): who may take items in at all, and that a write onto a key held outside the
# writer's territory changes nothing — REST create, file import, quarantine resubmit, the staff form.

VOLZHSKY = "36614000"
REGION = "region"
TAKES_IN = {"cur_operator": REGION, "cur_head": REGION, "pestravka_operator": PESTRAVKA, "pestravka_head": PESTRAVKA,
            "tolyatti_operator": TOLYATTI, "volzhsky_operator": VOLZHSKY}
CREATES_VIA_API = {**TAKES_IN, "cur_integrator": REGION}
WRITE_PERSONAS = sorted(set(VISIBLE) | {"cur_head", "pestravka_curator"})
HELD_IN = {"pestravka": PESTRAVKA, "tolyatti": TOLYATTI, "regional": None}  # None: the region, no municipality
ORIGINAL = {"title": "Исходная тема", "text": "Исходный текст обращения", "citizen_name": "Владелец Иван",
            "citizen_email": "owner@example.ru", "citizen_phone": "+7 927 555-55-55"}
OVERWRITE = {"title": "Чужая тема", "text": "Ответ пришлите мне", "citizen_name": "Злоумышленник",
             "citizen_email": "attacker@example.ru", "citizen_phone": "+7 900 000-00-00"}
KEY_TAKEN = "Внешний номер уже занят: укажите другой."


def may_write(territories: dict, username: str, held_in: str | None) -> bool:
    territory = territories.get(username)
    return territory == REGION or (territory is not None and territory == held_in)


@pytest.fixture
def held(db):
    """held(channel) → {place: appeal} with the keys `<channel>-<place>`, one per territory."""
    from django.utils import timezone

    from appeals.lifecycle.creation import appeal_create
    from municipalities.models import Municipality, Region

    def make(channel: str) -> dict[str, Appeal]:
        region = Region.objects.get(code="samara")
        return {place: appeal_create(
            region=region, kind="appeal" if channel == "letter" else "message", channel=channel,
            external_id=f"{channel}-{place}", received_at=timezone.now(), **ORIGINAL,
            **({"municipality": Municipality.objects.get(oktmo=oktmo)} if oktmo else {}),
        ) for place, oktmo in HELD_IN.items()}

    return make


def assert_written(appeal: Appeal, written: bool, username: str, place: str) -> None:
    appeal.refresh_from_db()
    expected = OVERWRITE if written else ORIGINAL
    assert {name: getattr(appeal, name) for name in expected} == expected, (username, place)


@pytest.mark.parametrize("username", WRITE_PERSONAS)
def test_rest_create_writes_only_inside_the_writers_territory(held, username):
    from rest_framework.test import APIClient

    appeals = held("api")
    client = APIClient()
    client.force_authenticate(user(username))
    for place, appeal in appeals.items():
        response = client.post("/api/v1/appeals/", {"external_id": appeal.external_id, **OVERWRITE}, format="json")
        if username not in CREATES_VIA_API:
            assert response.status_code == 403, (username, place)
        elif may_write(CREATES_VIA_API, username, HELD_IN[place]):
            assert response.status_code == 200, (username, place, response.content)
        else:
            assert response.status_code == 409, (username, place, response.content)
            assert response.json()["error"]["details"] == {"external_id": [KEY_TAKEN]}
        assert_written(appeal, response.status_code == 200, username, place)
    new = client.post("/api/v1/appeals/", {"external_id": "api-new", **OVERWRITE}, format="json")
    assert new.status_code == (201 if username in CREATES_VIA_API else 403), username
    if new.status_code == 201 and CREATES_VIA_API[username] != REGION:
        assert new.json()["municipality_oktmo"] == CREATES_VIA_API[username]


@pytest.mark.parametrize("username", WRITE_PERSONAS)
def test_file_import_writes_only_inside_the_importers_territory(client, held, username, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from appeals.models import ImportJob, QuarantinedItem
    from appeals.sources.files import import_job_process
    from tests.intake.test_files import HEADER, csv_bytes, rows

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CUR_INTAKE_STRUCTURE = False
    appeals = held("letter")
    source_item = held("pos")["pestravka"]
    data = csv_bytes([dict(rows(1)[0], external_id=appeal.external_id, municipality_oktmo="", settlement="",
                           **OVERWRITE) for appeal in appeals.values()]
                     + [dict(rows(1)[0], external_id=source_item.external_id, channel="pos", **OVERWRITE)],
                     header=[*HEADER, "citizen_email", "citizen_phone"])
    client.force_login(user(username))

    response = client.post("/appeals/import/", {"file": SimpleUploadedFile("реестр.csv", data)})

    if username not in TAKES_IN:
        assert response.status_code == 403 and not ImportJob.objects.exists()
        return
    job = ImportJob.objects.get()
    import_job_process(job_id=job.pk)
    reasons = dict(QuarantinedItem.objects.filter(import_job=job).values_list("external_id", "reason"))
    for place, appeal in appeals.items():
        written = may_write(TAKES_IN, username, HELD_IN[place])
        assert_written(appeal, written, username, place)
        assert (appeal.external_id not in reasons) is written, (username, place)
        if not written:
            assert reasons[appeal.external_id].endswith(KEY_TAKEN)
    assert_written(source_item, False, username, "pos")
    assert "канал «pos»" in reasons.get(source_item.external_id, "")


@pytest.mark.parametrize("username", WRITE_PERSONAS)
def test_quarantine_resubmit_writes_only_inside_the_resubmitters_territory(client, held, username):
    import json

    from appeals.intake.items import Rejected
    from appeals.intake.upsert import appeals_upsert
    from appeals.models import QuarantinedItem
    from municipalities.models import Municipality, Region

    appeals = held("letter")
    own = TAKES_IN.get(username, PESTRAVKA)
    municipality = None if own == REGION else Municipality.objects.get(oktmo=own)
    appeals_upsert(region=Region.objects.get(code="samara"), items=[], rejected=[Rejected(
        source="file", payload=json.dumps({"external_id": appeal.external_id, "received_at": "32.13.2026",
                                           "text": "Битая строка"}, ensure_ascii=False),
        reason="received_at: неверная дата", external_id=appeal.external_id,
        municipality_id=municipality.pk if municipality else None) for appeal in appeals.values()])
    client.force_login(user(username))
    for place, appeal in appeals.items():
        item = QuarantinedItem.objects.get(external_id=appeal.external_id)
        fixed = json.dumps({"external_id": appeal.external_id, "received_at": "20.11.2026", **OVERWRITE},
                           ensure_ascii=False)

        response = client.post(f"/appeals/quarantine/{item.pk}/", {"action": "resubmit", "payload": fixed})

        item.refresh_from_db()
        if username not in TAKES_IN:
            assert response.status_code == 403 and item.state == "pending", (username, place)
            assert_written(appeal, False, username, place)
            continue
        written = may_write(TAKES_IN, username, HELD_IN[place])
        assert item.state == ("resubmitted" if written else "pending"), (username, place)
        assert_written(appeal, written, username, place)


@pytest.mark.parametrize("username", WRITE_PERSONAS)
def test_the_staff_form_refuses_a_known_number_and_names_the_appeal_only_inside_the_scope(client, held, username):
    appeals = held("letter")
    client.force_login(user(username))
    for place, appeal in appeals.items():
        response = client.post("/appeals/intake/new/", {
            "channel": "letter", "kind": "appeal", "external_id": appeal.external_id,
            "received_at": "2026-11-20T10:00", **OVERWRITE})
        if username not in TAKES_IN:
            assert response.status_code == 403, (username, place)
        else:
            body = response.content.decode()
            assert response.status_code == 200 and "уже" in body, (username, place)
            visible = scope_appeals(Appeal.objects.filter(pk=appeal.pk), user(username)).exists()
            assert (f"№ {appeal.number}" in body) is visible, (username, place)
        assert_written(appeal, False, username, place)
    assert Appeal.objects.count() == len(appeals)
