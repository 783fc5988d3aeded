"""The rights matrix (cur/permissions.py): role × action × own / foreign territory, called on the
SERVICES directly — not through a view — so that an API, an import or a task can never do what the role
may not. The expectation below is written out by hand from the decrees' roles, not computed from the
rights table: removing any service's check makes a refused case succeed and this test fail.

Own territory: for a ЦУР the region, for a МЦУ its municipality, for the ЖКХ block head the block's
sectors in Пестравский, for an executor the appeals assigned to its body. Foreign: Чувашия for the ЦУР,
another municipality for a МЦУ, another block's sector for the block head, another body's appeal for an
executor."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from appeals.attachments.services import attachments_add
from appeals.intake.quarantine import quarantine_discard
from appeals.intake.staff import appeal_take_in
from appeals.lifecycle import transitions
from appeals.models import Appeal, QuarantinedItem, Status
from appeals.problems import services as problem_services
from appeals.sources.emulator import demo_pdf
from appeals.sources.files import import_job_create
from appeals.sources.rest import rest_item_take_in
from cur.models import Agency
from cur.permissions import Forbidden
from municipalities.models import Municipality
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db

ALATYR = "97704000"  # Чувашия: outside the Samara ЦУР

CENTRE = {"register", "assign", "forward", "request_clarification", "receive_clarification", "extend",
          "leave_without_answer", "return_for_rework", "close", "reopen", "correct", "problems"}
ANSWER = {"answer_interim", "answer_final", "request_clarification", "receive_clarification"}
INTAKE = {"staff_form", "file_import", "quarantine", "rest_create"}
# What each demo persona may do on its own territory (on a foreign one: nothing).
MAY = {
    "cur_head": CENTRE | INTAKE,
    "cur_operator": CENTRE | INTAKE,  # ответственный за ИМ и ПОС
    "cur_curator": set(),
    "cur_integrator": {"rest_create"},
    "pestravka_head": CENTRE | INTAKE,
    "pestravka_operator": CENTRE | INTAKE,
    "pestravka_curator": set(),
    "pestravka_zhkh": CENTRE - {"leave_without_answer"},  # the ЖКХ block head: no ст. 11 refusals, no intake
    "tolyatti_operator": CENTRE | INTAKE,
    "executor_pestravka_zhkh": ANSWER,
    "executor_minobr": ANSWER,
}
# (municipality, sector, agency) of an appeal on the persona's own territory, and on a foreign one
PLACES = {
    "cur": ((PESTRAVKA, "housing_utilities", "mup_zhkh_pestravskiy"), (ALATYR, "housing_utilities", "minstroy_chr")),
    "pestravka": ((PESTRAVKA, "housing_utilities", "mup_zhkh_pestravskiy"),
                  (TOLYATTI, "housing_utilities", "dgkh_tolyatti")),
    "pestravka_zhkh": ((PESTRAVKA, "housing_utilities", "mup_zhkh_pestravskiy"),
                       (PESTRAVKA, "education", "adm_pestravskiy_mr")),
    "tolyatti": ((TOLYATTI, "housing_utilities", "dgkh_tolyatti"),
                 (PESTRAVKA, "housing_utilities", "mup_zhkh_pestravskiy")),
    "executor_pestravka_zhkh": ((PESTRAVKA, "housing_utilities", "mup_zhkh_pestravskiy"),
                                (PESTRAVKA, "housing_utilities", "adm_pestravskiy_mr")),
    "executor_minobr": ((PESTRAVKA, "education", "minobr_so"), (PESTRAVKA, "education", "adm_pestravskiy_mr")),
}
# The status an appeal must be in for the action, its kind, and the action's data.
SETUP = {
    "register": (Status.NEW, "appeal", {}),
    "assign": (Status.REGISTERED, "message", {"agency": "HOME"}),
    "forward": (Status.IN_PROGRESS, "message", {"agency": "OTHER", "reason": "не по компетенции"}),
    "request_clarification": (Status.IN_PROGRESS, "message", {"question": "Уточните номер дома"}),
    "receive_clarification": (Status.AWAITING_CLARIFICATION, "message", {"text": "дом 5"}),
    "extend": (Status.IN_PROGRESS, "appeal", {"days": 10, "reason": "нужна выездная проверка"}),
    "leave_without_answer": (Status.REGISTERED, "appeal", {"ground": "obscene_or_threatening"}),
    "answer_interim": (Status.IN_PROGRESS, "message", {"text": "Работы запланированы на 10.12.2026."}),
    "answer_final": (Status.IN_PROGRESS, "message", {"text": "Подача воды восстановлена 01.12.2026."}),
    "return_for_rework": (Status.ANSWERED, "message", {"reason": "отписка без срока"}),
    "close": (Status.ANSWERED, "message", {}),
    "reopen": (Status.CLOSED, "message", {"reason": "проблема вернулась"}),
    "correct": (Status.IN_PROGRESS, "message", {}),
    "problems": (Status.IN_PROGRESS, "message", {}),
}


def places_of(username: str):
    if username in PLACES:
        return PLACES[username]
    return PLACES[username.split("_")[0]]


def seeded(make_appeal, place, status, kind) -> Appeal:
    """An appeal at `place` in `status`, brought there by the platform itself (by=None)."""
    oktmo, sector, agency = place
    working = status not in (Status.NEW, Status.REGISTERED)
    appeal = make_appeal(oktmo, sector, agency=agency if working else None, kind=kind, channel="letter",
                         status=Status.IN_PROGRESS if status in (Status.ANSWERED, Status.CLOSED) else status,
                         registered_at=timezone.now() - timedelta(days=1) if status != Status.NEW else None,
                         paused_at=timezone.now() if status == Status.AWAITING_CLARIFICATION else None)
    if status in (Status.ANSWERED, Status.CLOSED):
        transitions.answer_submit(appeal=appeal, text="Подача воды восстановлена 01.12.2026.", by=None)
    if status == Status.CLOSED:
        transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=None)
    return Appeal.objects.get(pk=appeal.pk)


def act(action: str, appeal: Appeal, by, make_appeal, place) -> None:
    status, kind, data = SETUP[action]
    if action == "correct":
        transitions.appeal_correct(appeal=appeal, by=by, changes={"importance": "high"})
        return
    if action == "problems":
        other = seeded(make_appeal, place, status, kind)
        problem_services.problem_join(appeal=appeal, other=other, by=by)
        return
    data = dict(data, version=None)
    if data.get("agency") == "HOME":
        data["agency"] = Agency.objects.get(code=place[2])
    elif data.get("agency") == "OTHER":
        data["agency"] = Agency.objects.filter(region=appeal.region).exclude(pk=appeal.agency_id).first()
    transitions.appeal_act(action=action, appeal=appeal, by=by, data=data)


CASES = [(username, action, own) for username in MAY for action in SETUP for own in (True, False)]


@pytest.mark.parametrize(("username", "action", "own"), CASES,
                         ids=[f"{u}-{a}-{'own' if o else 'foreign'}" for u, a, o in CASES])
def test_appeal_actions(make_appeal, username, action, own):
    person = user(username)
    place = places_of(username)[0 if own else 1]
    status, kind, _ = SETUP[action]
    appeal = seeded(make_appeal, place, status, kind)
    before = (appeal.status, appeal.version, appeal.problem_id, appeal.importance)
    allowed = own and action in MAY[username]
    if allowed:
        act(action, appeal, person, make_appeal, place)
        fresh = Appeal.objects.get(pk=appeal.pk)
        assert (fresh.status, fresh.version, fresh.problem_id, fresh.importance) != before
    else:
        refusal = problem_services.ProblemRefused if action == "problems" else Forbidden
        with pytest.raises(refusal):
            act(action, appeal, person, make_appeal, place)
        fresh = Appeal.objects.get(pk=appeal.pk)
        assert (fresh.status, fresh.version, fresh.problem_id, fresh.importance) == before


# Files on an appeal (appeals/attachments/services.py): the centres that work the card and the body that
# answers it; not the curators, not the integrator.
ATTACH = {"cur_head", "cur_operator", "pestravka_head", "pestravka_operator", "pestravka_zhkh", "tolyatti_operator",
          "executor_pestravka_zhkh", "executor_minobr"}
ATTACH_CASES = [(username, own) for username in MAY for own in (True, False)]


@pytest.mark.parametrize(("username", "own"), ATTACH_CASES,
                         ids=[f"{u}-attach-{'own' if o else 'foreign'}" for u, o in ATTACH_CASES])
def test_attachments_add(make_appeal, settings, tmp_path, username, own):
    settings.MEDIA_ROOT = tmp_path  # the stored file stays out of var/media
    person = user(username)
    appeal = seeded(make_appeal, places_of(username)[0 if own else 1], Status.IN_PROGRESS, "message")
    act = SimpleUploadedFile("акт.pdf", demo_pdf(1))
    if own and username in ATTACH:
        attachments_add(appeal=appeal, files=[act], by=person)
        assert appeal.attachments.count() == 1
    else:
        with pytest.raises(Forbidden):
            attachments_add(appeal=appeal, files=[act], by=person)
        assert not appeal.attachments.exists()


INTAKE_CASES = [(username, path) for username in MAY for path in sorted(INTAKE)]


@pytest.mark.parametrize(("username", "path"), INTAKE_CASES, ids=[f"{u}-{p}" for u, p in INTAKE_CASES])
def test_intake_paths(username, path, settings, tmp_path):
    """Who may take items in at all (the territory of each write is tests/cur/test_scoping.py's matrix)."""
    settings.MEDIA_ROOT = tmp_path  # an uploaded file stays out of var/media
    person = user(username)
    own = Municipality.objects.get(oktmo=places_of(username)[0][0])
    received = timezone.now() - timedelta(hours=1)
    item = None
    if path == "quarantine":
        item = QuarantinedItem.objects.create(region=own.region, municipality=own, source="file",
                                              payload=json.dumps({"text": ""}), digest=f"d-{username}",
                                              reason="text: пусто")
    before = (Appeal.objects.count(), QuarantinedItem.objects.filter(state="pending").count())

    def run():
        if path == "staff_form":
            appeal_take_in(region=own.region, by=person, channel="letter", kind="appeal", text="Нет воды",
                           received_at=received, municipality=own)
        elif path == "file_import":
            import_job_create(uploaded=SimpleUploadedFile("r.csv", b"text\n\xd0\x9d\xd0\xb5\xd1\x82\n"), by=person)
        elif path == "quarantine":
            quarantine_discard(item=item, by=person, reason="тестовая запись")
        else:
            rest_item_take_in(values={"text": "Нет воды", "external_id": f"R-{username}"}, by=person)

    if path in MAY[username]:
        run()
        after = (Appeal.objects.count(), QuarantinedItem.objects.filter(state="pending").count())
        assert after != before or path == "file_import"
    else:
        with pytest.raises(Forbidden):
            run()
        if item is not None:
            item.refresh_from_db()
            assert item.state == "pending"
