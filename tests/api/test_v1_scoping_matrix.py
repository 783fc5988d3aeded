"""Every GET this part of the API adds × the tokens of a МЦУ (Пестравский, Тольятти), an executor and the
integrator: the status each must get, and — for the integrator, who may see no personal data — not one name,
phone or e-mail of a citizen in any answer (152-ФЗ)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from appeals.problems.services import problem_join
from appeals.sources.files import import_job_create
from municipalities.models import Municipality
from tests.intake.test_files import csv_bytes, rows
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
NAME, PHONE, EMAIL = "Кузнецова Ирина Павловна", "+7 927 765-43-21", "kuznetsova@example.ru"
TOKENS = ("pestravka_operator", "tolyatti_operator", "executor_pestravka_zhkh", "cur_integrator")

# endpoint → the status per token, in the order of TOKENS
MATRIX = {
    "problems": ("/api/v1/problems/", (200, 200, 200, 200)),
    "problem_pestravka": ("/api/v1/problems/{problem_pestravka}/", (200, 404, 404, 200)),
    "problem_tolyatti": ("/api/v1/problems/{problem_tolyatti}/", (404, 200, 404, 200)),
    "sectors": ("/api/v1/reference/sectors/", (200, 200, 200, 200)),
    "subtopics": ("/api/v1/reference/subtopics/", (200, 200, 200, 200)),
    "municipalities": ("/api/v1/reference/municipalities/", (200, 200, 200, 200)),
    "settlements": ("/api/v1/reference/settlements/?municipality={pestravka}", (200, 200, 200, 200)),
    "agencies": ("/api/v1/reference/agencies/", (200, 200, 200, 200)),
    "heatmap": ("/api/v1/heatmap/", (200, 200, 200, 200)),
    "heatmap_pestravka": ("/api/v1/heatmap/municipalities/{pestravka}/", (200, 404, 200, 200)),
    "heatmap_tolyatti": ("/api/v1/heatmap/municipalities/{tolyatti}/", (404, 200, 404, 200)),
    "import_jobs": ("/api/v1/import-jobs/", (200, 200, 403, 403)),
    "import_pestravka": ("/api/v1/import-jobs/{job_pestravka}/", (200, 404, 403, 403)),
    "import_tolyatti": ("/api/v1/import-jobs/{job_tolyatti}/", (404, 200, 403, 403)),
}


@pytest.fixture
def world(make_appeal, tmp_path, settings):
    """A Problem in each municipality (their texts name the citizen and carry a phone), an import job of each МЦУ."""
    settings.MEDIA_ROOT = tmp_path / "media"
    text = f"Я, {NAME}, прошу починить фонари у дома 3, мой телефон {PHONE}, почта {EMAIL}"
    made = {}
    for key, oktmo in (("pestravka", PESTRAVKA), ("tolyatti", TOLYATTI)):
        first, second = (make_appeal(oktmo, "roads", text=text, citizen_name=NAME, citizen_phone=PHONE,
                                     citizen_email=EMAIL) for _ in range(2))
        made[f"problem_{key}"] = problem_join(appeal=first, other=second, by=user("cur_operator")).pk
        made[key] = Municipality.objects.get(oktmo=oktmo).pk
        job = import_job_create(uploaded=SimpleUploadedFile(f"{key}.csv", csv_bytes(rows(1))),
                                by=user(f"{key}_operator"))
        made[f"job_{key}"] = job.pk
    return made


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_every_get_answers_each_token_as_its_scope_allows(bearer, world, endpoint):
    path, expected = MATRIX[endpoint]
    path = path.format(**world)
    got = {}
    for username in TOKENS:
        response = bearer(username).get(path)
        got[username] = response.status_code
        if username == "cur_integrator" and response.status_code == 200:
            shown = json.dumps(response.json(), ensure_ascii=False)
            for secret in (NAME, "Кузнецова", PHONE, "765-43", EMAIL):
                assert secret not in shown, (endpoint, secret)
    assert got == dict(zip(TOKENS, expected, strict=True)), endpoint


def test_the_lists_hold_only_what_the_scope_allows(bearer, world):
    pestravka = bearer("pestravka_operator")

    problems = {p["id"] for p in pestravka.get("/api/v1/problems/").json()["results"]}
    heat = [r["municipality"]["oktmo"] for r in pestravka.get("/api/v1/heatmap/").json()["rows"]]
    jobs = [j["id"] for j in pestravka.get("/api/v1/import-jobs/").json()["results"]]

    assert problems == {world["problem_pestravka"]}
    assert heat == [PESTRAVKA] and jobs == [world["job_pestravka"]]
    executor = bearer("executor_pestravka_zhkh")
    assert executor.get("/api/v1/problems/").json()["results"] == []  # no appeal of the Problems is its body's
    integrator = {p["id"] for p in bearer("cur_integrator").get("/api/v1/problems/").json()["results"]}
    assert integrator == {world["problem_pestravka"], world["problem_tolyatti"]}


def test_the_appeals_list_and_card_mask_titles_texts_and_addresses_once_for_the_integrator(bearer, make_appeal):
    # the list's rows come masked from the selector and the serializer does not mask their titles again: a mask
    # («[ФИО]») must still be what the integrator reads, in the list as on the card, and the operator reads the name
    appeal = make_appeal(PESTRAVKA, "roads", title=f"Жалоба {NAME}", text=f"Пишет {NAME}, телефон {PHONE}",
                         address="ул. Мира, д. 3, кв. 7")
    for path in ("/api/v1/appeals/", f"/api/v1/appeals/{appeal.pk}/"):
        body = bearer("cur_integrator").get(path).json()
        row = body["results"][0] if "results" in body else body
        assert row["id"] == appeal.pk
        assert NAME not in row["title"] and "[ФИО]" in row["title"], path
        assert NAME not in row["text"] and PHONE not in row["text"], path
        assert "кв. 7" not in row["address"], path
        shown = bearer("pestravka_operator").get(path).json()
        row = shown["results"][0] if "results" in shown else shown
        assert row["title"] == f"Жалоба {NAME}", path
