"""A subscriber hears of the appeals its client sees through the API, nothing else."""

from __future__ import annotations

import pytest

from appeals.lifecycle import transitions
from appeals.models import Appeal, Status
from appeals.webhooks.delivery import webhook_deliveries_send
from appeals.webhooks.dispatch import webhook_events_dispatch
from cur.models import Agency
from cur.scoping import scope_appeals
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


def appeal_ids(receiver, path: str) -> set[int]:
    return {r.json["data"]["appeal"]["id"] for r in receiver.accepted(path)}


def test_a_municipal_client_hears_of_its_municipality_only(make_appeal, subscribe, receiver):
    mcu = subscribe("pestravka_operator", "/pestravka")
    region = subscribe("cur_integrator", "/region")
    webhook_events_dispatch()
    ours = [make_appeal(PESTRAVKA) for _ in range(3)]
    theirs = [make_appeal(TOLYATTI) for _ in range(2)]
    webhook_events_dispatch()
    webhook_deliveries_send()

    assert appeal_ids(receiver, "/pestravka") == {a.pk for a in ours}
    assert appeal_ids(receiver, "/region") == {a.pk for a in ours + theirs}
    # the same rule as the API's: what the client's user may read
    seen = set(scope_appeals(Appeal.objects.all(), mcu.client.user).values_list("pk", flat=True))
    assert appeal_ids(receiver, "/pestravka") <= seen and not {a.pk for a in theirs} & seen
    assert region.client.user.membership.centre.level == "region"


def test_an_executors_system_hears_of_its_bodys_appeals_from_the_assignment_on(make_appeal, subscribe, receiver):
    subscribe("executor_pestravka_zhkh", "/zhkh")
    webhook_events_dispatch()
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    other = Agency.objects.get(code="adm_pestravskiy_mr")
    mine = make_appeal(PESTRAVKA, status=Status.REGISTERED)
    not_mine = make_appeal(PESTRAVKA, status=Status.REGISTERED)
    operator = user("pestravka_operator")
    transitions.appeal_assign(appeal=mine, agency=zhkh, by=operator)
    transitions.appeal_assign(appeal=not_mine, agency=other, by=operator)
    webhook_events_dispatch()
    webhook_deliveries_send()
    # created before it was theirs: the creation is judged by the appeal as it is now — assigned to the body
    assert appeal_ids(receiver, "/zhkh") == {mine.pk}
    assert {r.json["type"] for r in receiver.accepted("/zhkh")} <= {"appeal.created", "appeal.assigned"}


def test_a_switched_off_client_hears_nothing(make_appeal, subscribe, receiver):
    subscription = subscribe("cur_integrator", "/region")
    webhook_events_dispatch()
    subscription.client.is_active = False
    subscription.client.save(update_fields=["is_active"])
    make_appeal(PESTRAVKA)
    assert webhook_events_dispatch().deliveries == 0
