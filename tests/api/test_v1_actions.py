"""The lifecycle actions of /api/v1/appeals/<id>/…/: through the card's services, refused as the card refuses —
outside the scope 404, a role without the action 403, a wrong status 409 transition_refused, a stale version
409 stale_version — and every change an event whose actor is the client's own user."""

import pytest

from appeals.models import Answer, Appeal, AppealEvent, Status
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = pytest.mark.django_db
PHONE = "+7 927 123-45-67"


@pytest.fixture
def pestravka(make_appeal):
    """A 59-ФЗ letter in Пестравский, new, with the citizen's phone in its text."""
    return make_appeal(PESTRAVKA, "housing_utilities", kind="appeal", channel="letter", due_at=None,
                       text=f"Нет горячей воды в доме 5 по ул. Молодёжной, звоните {PHONE}", citizen_phone=PHONE)


@pytest.fixture
def tolyatti(make_appeal):
    return make_appeal(TOLYATTI, "housing_utilities", kind="appeal", channel="letter", due_at=None)


def url(appeal, action: str) -> str:
    return f"/api/v1/appeals/{appeal.pk}/{action}/"


def events(appeal, kind: str):
    return AppealEvent.objects.filter(appeal=appeal, kind=kind)


def test_it_registers_assigns_answers_and_closes_and_each_step_is_the_clients(bearer, pestravka):
    operator, executor = bearer("pestravka_operator"), bearer("executor_pestravka_zhkh")

    registered = operator.post(url(pestravka, "register"), {"expected_version": pestravka.version}, format="json")
    assert registered.status_code == 200, registered.content
    body = registered.json()
    assert body["status"] == Status.REGISTERED and body["version"] == pestravka.version + 1
    assert body["due_at"] and "assign" in body["actions"] and body["message"].startswith("Обращение зарегистрировано")
    assert PHONE in body["text"]  # an operator reads the citizen's data (152-ФЗ allows the role)

    assigned = operator.post(url(pestravka, "assign"), {"agency": "mup_zhkh_pestravskiy",
                                                        "expected_version": body["version"]}, format="json")
    assert assigned.status_code == 200, assigned.content
    assert (assigned.json()["status"], assigned.json()["agency"]) == (Status.IN_PROGRESS, "mup_zhkh_pestravskiy")

    interim = executor.post(url(pestravka, "interim-answer"), {"text": "Бригада выедет завтра"}, format="json")
    assert interim.status_code == 201, interim.content
    assert interim.json()["status"] == Status.INTERIM_ANSWERED
    assert interim.json()["answer"]["is_interim"] is True
    assert interim.json()["answer"]["text"] == "Бригада выедет завтра"

    final = executor.post(url(pestravka, "answer"), {"text": "Участок трубы заменён, вода подана 24.11.2026",
                                                     "expected_version": interim.json()["version"]}, format="json")
    assert final.status_code == 201, final.content
    assert final.json()["status"] == Status.ANSWERED and final.json()["answer"]["review"] == "pending"

    closed = operator.post(url(pestravka, "close"), {}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == Status.CLOSED and closed.json()["closed_at"]

    pestravka.refresh_from_db()
    assert pestravka.status == Status.CLOSED
    assert Answer.objects.filter(appeal=pestravka).count() == 2
    assert Answer.objects.get(appeal=pestravka, is_interim=False).author == executor.user
    for kind, client in (("registered", operator), ("assigned", operator), ("interim_answered", executor),
                         ("answered", executor), ("closed", operator)):
        assert list(events(pestravka, kind).values_list("actor", flat=True)) == [client.user.pk], kind
    assert executor.user.first_name.startswith("Система")  # the history names the client


def test_forward_clarification_and_extension(bearer, pestravka):
    operator = bearer("pestravka_operator")
    operator.post(url(pestravka, "register"), {}, format="json")
    operator.post(url(pestravka, "assign"), {"agency": "mup_zhkh_pestravskiy"}, format="json")
    due_before = Appeal.objects.get(pk=pestravka.pk).due_at

    forwarded = operator.post(url(pestravka, "forward"), {"agency": "adm_pestravskiy_mr",
                                                          "reason": "Благоустройство двора — администрация"},
                              format="json")
    asked = operator.post(url(pestravka, "request-clarification"), {"question": "Какой подъезд?"}, format="json")
    extended = operator.post(url(pestravka, "extend"), {"days": 10, "reason": "Нужна комиссия"}, format="json")

    assert forwarded.status_code == 200 and forwarded.json()["agency"] == "adm_pestravskiy_mr"
    assert asked.status_code == 200 and asked.json()["status"] == Status.AWAITING_CLARIFICATION
    assert extended.status_code == 200, extended.content
    appeal = Appeal.objects.get(pk=pestravka.pk)
    assert appeal.extensions == 1 and appeal.due_at > due_before
    assert events(appeal, "forwarded").get().reason == "Благоустройство двора — администрация"
    assert events(appeal, "clarification_requested").get().actor == operator.user
    assert events(appeal, "extended").get().actor == operator.user

    again = operator.post(url(pestravka, "extend"), {"days": 5, "reason": "Ещё"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "transition_refused"
    assert "одно продление" in again.json()["error"]["message"]


ACTIONS = [("register", {}), ("assign", {"agency": "adm_tolyatti_go"}),
           ("forward", {"agency": "adm_tolyatti_go", "reason": "x"}),
           ("request-clarification", {"question": "?"}), ("extend", {"days": 5, "reason": "x"}),
           ("interim-answer", {"text": "x"}), ("answer", {"text": "x"}), ("close", {})]


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_a_mcu_token_cannot_act_on_another_municipalitys_appeal(bearer, tolyatti, action, data):
    response = bearer("pestravka_operator").post(url(tolyatti, action), data, format="json")

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    tolyatti.refresh_from_db()
    assert tolyatti.status == Status.NEW and tolyatti.version == 1
    assert not AppealEvent.objects.filter(appeal=tolyatti).exclude(kind="created").exists()


def test_an_executor_acts_only_on_its_own_bodys_appeals_and_only_as_an_executor(bearer, make_appeal):
    operator, executor = bearer("pestravka_operator"), bearer("executor_pestravka_zhkh")
    own = make_appeal(PESTRAVKA, "housing_utilities", kind="appeal", channel="letter", due_at=None)
    other = make_appeal(PESTRAVKA, "roads", kind="appeal", channel="letter", due_at=None)
    for appeal, agency in ((own, "mup_zhkh_pestravskiy"), (other, "adm_pestravskiy_mr")):
        operator.post(url(appeal, "register"), {}, format="json")
        assert operator.post(url(appeal, "assign"), {"agency": agency}, format="json").status_code == 200

    foreign = executor.post(url(other, "answer"), {"text": "Сделано"}, format="json")
    not_its_role = executor.post(url(own, "close"), {}, format="json")
    own_answer = executor.post(url(own, "answer"), {"text": "Сделано"}, format="json")

    assert foreign.status_code == 404
    assert not_its_role.status_code == 403 and not_its_role.json()["error"]["code"] == "permission_denied"
    assert own_answer.status_code == 201
    assert Appeal.objects.get(pk=other.pk).status == Status.IN_PROGRESS
    assert Appeal.objects.get(pk=own.pk).status == Status.ANSWERED


def test_an_integrator_token_takes_no_action(bearer, pestravka):
    response = bearer("cur_integrator").post(url(pestravka, "register"), {}, format="json")

    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert Appeal.objects.get(pk=pestravka.pk).status == Status.NEW


def test_a_wrong_status_is_refused_with_the_services_message(bearer, pestravka):
    response = bearer("pestravka_operator").post(url(pestravka, "close"), {}, format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "transition_refused"
    assert error["message"] == f"Нельзя закрыть: обращение № {pestravka.number} в статусе «Новое»."
    assert Appeal.objects.get(pk=pestravka.pk).status == Status.NEW


def test_a_stale_version_is_refused_and_changes_nothing(bearer, pestravka):
    operator = bearer("pestravka_operator")
    operator.post(url(pestravka, "register"), {}, format="json")  # version 1 → 2

    response = operator.post(url(pestravka, "assign"), {"agency": "mup_zhkh_pestravskiy", "expected_version": 1},
                             format="json")

    assert response.status_code == 409 and response.json()["error"]["code"] == "stale_version"
    assert "уже изменил другой пользователь" in response.json()["error"]["message"]
    appeal = Appeal.objects.get(pk=pestravka.pk)
    assert appeal.status == Status.REGISTERED and appeal.agency_id is None and appeal.version == 2


def test_a_body_is_resolved_only_within_the_callers_scope(bearer, pestravka):
    operator = bearer("pestravka_operator")
    operator.post(url(pestravka, "register"), {}, format="json")

    tolyatti_body = operator.post(url(pestravka, "assign"), {"agency": "adm_tolyatti_go"}, format="json")
    unknown = operator.post(url(pestravka, "assign"), {"agency": "no-such-body"}, format="json")
    regional = operator.post(url(pestravka, "assign"), {"agency": "gzhi_so"}, format="json")

    assert tolyatti_body.status_code == 400 and "agency" in tolyatti_body.json()["error"]["details"]
    assert unknown.status_code == 400 and "agency" in unknown.json()["error"]["details"]
    assert regional.status_code == 200 and regional.json()["agency"] == "gzhi_so"


def test_bad_bodies_are_400_and_the_law_refuses_extending_a_message(bearer, make_appeal):
    operator = bearer("pestravka_operator")
    message = make_appeal(PESTRAVKA, "housing_utilities", due_at=None)  # a ПОС message: 59-ФЗ ст. 12 does not apply
    operator.post(url(message, "register"), {}, format="json")

    too_long = operator.post(url(message, "extend"), {"days": 31, "reason": "x"}, format="json")
    no_reason = operator.post(url(message, "forward"), {"agency": "gzhi_so"}, format="json")
    not_for_messages = operator.post(url(message, "extend"), {"days": 5, "reason": "x"}, format="json")

    assert too_long.status_code == 400 and "days" in too_long.json()["error"]["details"]
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["details"]
    assert not_for_messages.status_code == 409 and not_for_messages.json()["error"]["code"] == "transition_refused"


def test_an_answer_posted_twice_with_one_key_is_one_answer(bearer, pestravka):
    operator, executor = bearer("pestravka_operator"), bearer("executor_pestravka_zhkh")
    operator.post(url(pestravka, "register"), {}, format="json")
    operator.post(url(pestravka, "assign"), {"agency": "mup_zhkh_pestravskiy"}, format="json")

    first = executor.post(url(pestravka, "answer"), {"text": "Сделано"}, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    again = executor.post(url(pestravka, "answer"), {"text": "Сделано"}, format="json", HTTP_IDEMPOTENCY_KEY="a-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Answer.objects.filter(appeal=pestravka).count() == 1


def test_anonymous_callers_get_401(pestravka, client):
    assert client.post(url(pestravka, "register"), {}, content_type="application/json").status_code == 401
