"""/api/v1/import-jobs/: the page's file import through the API — the job fixed to the caller's territory and
queued after commit, its progress and report, and who may (only who takes items in)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from appeals.models import Appeal, AppealEvent, ImportJob, QuarantinedItem
from appeals.sources.files import import_job_create, import_job_process
from tests.intake.test_files import csv_bytes, rows
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
URL = "/api/v1/import-jobs/"


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploaded files land in the test's own folder, never in ./var."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def no_structuring():
    with override_settings(CUR_INTAKE_STRUCTURE=False):
        yield


def upload(name: str = "реестр.csv", records=None) -> dict:
    data = csv_bytes(records if records is not None else rows(2))
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def test_a_mcu_imports_into_its_own_municipality_only(bearer, django_capture_on_commit_callbacks):
    client = bearer("pestravka_operator")
    records = rows(2) + rows(1, external_id="ВХ-TLT", municipality_oktmo=TOLYATTI, settlement="")

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(URL, upload(records=records), format="multipart")

    assert response.status_code == 201, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert response.json()["status"] == "queued" and response.json()["progress"] == 0
    assert job.municipality.oktmo == PESTRAVKA and job.created_by == client.user
    assert len(queued) == 1  # the worker's task, once the job is committed
    import_job_process(job_id=job.pk)  # what the task does

    detail = client.get(f"{URL}{job.pk}/").json()
    assert (detail["status"], detail["is_finished"], detail["progress"]) == ("done", True, 100)
    assert detail["report"] == {"received": 3, "created": 2, "updated": 0, "unchanged": 0, "quarantined": 1}
    assert not Appeal.objects.filter(external_id="ВХ-TLT").exists()
    assert QuarantinedItem.objects.filter(import_job=job, external_id="ВХ-TLT").exists()
    created = Appeal.objects.filter(external_id__in=["ВХ-0001", "ВХ-0002"])
    assert {a.municipality.oktmo for a in created} == {PESTRAVKA}
    assert set(AppealEvent.objects.filter(appeal__in=created, kind="created").values_list("actor", flat=True)) == {
        client.user.pk}
    assert [j["id"] for j in client.get(URL).json()["results"]] == [job.pk]


def test_who_does_not_take_items_in_is_refused(bearer):
    for username in ("cur_integrator", "executor_pestravka_zhkh"):
        client = bearer(username)
        refused = client.post(URL, upload(), format="multipart")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied", username
        assert client.get(URL).status_code == 403
    assert not ImportJob.objects.exists()


def test_jobs_are_read_within_the_territory(bearer):
    job = import_job_create(uploaded=SimpleUploadedFile("p.csv", csv_bytes(rows(1))), by=user("pestravka_operator"))
    tolyatti = bearer("tolyatti_operator")

    assert tolyatti.get(f"{URL}{job.pk}/").status_code == 404
    assert tolyatti.get(URL).json()["results"] == []
    assert bearer("cur_operator").get(f"{URL}{job.pk}/").json()["file_name"] == "p.csv"


def test_a_file_is_required_and_a_repeat_with_the_key_makes_one_job(bearer):
    client = bearer("pestravka_operator")

    missing = client.post(URL, {}, format="multipart")
    first = client.post(URL, upload(), format="multipart", HTTP_IDEMPOTENCY_KEY="file-1")
    again = client.post(URL, upload(), format="multipart", HTTP_IDEMPOTENCY_KEY="file-1")

    assert missing.status_code == 400 and "file" in missing.json()["error"]["details"]
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert ImportJob.objects.count() == 1
