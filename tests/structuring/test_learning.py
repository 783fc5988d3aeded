"""Model versions, learning from operators' corrections and labelled files, and structuring stored
appeals without ever overwriting what a person confirmed."""

import csv
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from appeals.lifecycle.transitions import appeal_correct
from appeals.models import AppealEvent
from cur.models import Sector, Subtopic
from municipalities.models import Municipality
from structuring.classifier import Example
from structuring.evaluation import corrections, load_testset, report, run, split
from structuring.models import ModelVersion, TrainingExample
from structuring.pipeline import StructInput, structure_texts
from structuring.services import (
    AUTO_REASON,
    appeals_structure,
    examples_from_corrections,
    model_activate,
    model_rollback,
    model_train,
    model_versions_prune,
    routing_rules_load_default,
)
from tests.personas import PESTRAVKA, TOLYATTI, user

TINY = [Example("нет горячей воды", "housing_utilities", "housing.hot_water"),
        Example("батареи холодные", "housing_utilities", "housing.heating"),
        Example("яма на дороге", "roads", "roads.potholes"),
        Example("не чистят снег", "roads", "roads.snow")]


def sector_of(text: str) -> str:
    return structure_texts([StructInput(text)], "samara")[0].sector


def test_a_new_version_becomes_active_and_an_old_one_can_come_back(structuring_model):
    new = model_train(examples=TINY)
    assert ModelVersion.objects.get(is_active=True) == new
    assert new.n_examples == 4 and new.label != structuring_model.label
    assert structure_texts([StructInput("яма")], "samara")[0].model == new.label
    assert model_rollback() == structuring_model
    assert ModelVersion.objects.filter(is_active=True).get() == structuring_model
    assert structure_texts([StructInput("яма")], "samara")[0].model == structuring_model.label
    model_activate(version=new)
    assert list(ModelVersion.objects.filter(is_active=True)) == [new]


def test_metrics_are_stored_with_the_version(structuring_model):
    metrics = structuring_model.metrics
    assert metrics["held_out"] > 100
    assert metrics["sector_accuracy"] > 0.7
    assert set(metrics["per_sector"]["roads"]) == {"precision", "recall", "f1", "support"}
    assert len(metrics["confusion"]["matrix"]) == len(metrics["confusion"]["labels"])


def old_versions(*names: str, pinned: tuple[str, ...] = ()) -> dict[str, ModelVersion]:
    """Versions trained and activated days ago, one after another (a stand-in blob: never loaded)."""
    made = {}
    for days, name in zip(range(len(names) + 10, 10, -1), names, strict=False):
        version = ModelVersion.objects.create(label=name, n_examples=1, fitted=b"9 MB of a fitted model",
                                              pinned=name in pinned)
        at = timezone.now() - timedelta(days=days)
        ModelVersion.objects.filter(pk=version.pk).update(created_at=at, activated_at=at)
        made[name] = version
    return made


def labels() -> set[str]:
    return set(ModelVersion.objects.values_list("label", flat=True))


def test_training_keeps_the_active_the_previous_and_the_pinned_versions_only(structuring_model):
    old_versions("old-1", "old-2", "old-3", pinned=("old-1",))
    model_activate(version=structuring_model)  # active now, so the previous one once a new version comes

    new = model_train(examples=TINY)

    assert labels() == {new.label, structuring_model.label, "old-1"}
    assert ModelVersion.objects.get(is_active=True) == new
    assert model_rollback() == structuring_model  # the previous one is there to roll back to


def test_the_previous_version_is_the_one_active_before_not_the_one_trained_before(structuring_model):
    first = model_train(examples=TINY)
    rejected = model_train(examples=TINY[::-1])
    assert model_rollback() == first  # the operator found `rejected` worse

    nightly = model_train(examples=TINY)

    assert labels() == {nightly.label, first.label}  # the rejected one and the seed one are gone
    assert model_rollback() == first
    assert model_rollback() == nightly  # a second rollback undoes the first
    assert not ModelVersion.objects.filter(pk=rejected.pk).exists()


def test_labels_never_repeat_after_a_prune(structuring_model):
    trained = [model_train(examples=TINY).label for _ in range(3)]
    assert len({label.split("-")[0] for label in trained}) == 3


def test_the_command_prunes_and_says_what_it_deleted(structuring_model, capsys):
    old_versions("old-1", "old-2", "old-3", pinned=("old-2",))

    call_command("prune_models")

    out = capsys.readouterr().out
    # old-3 was activated most recently of the others: it is the previous one of the seed model
    assert labels() == {structuring_model.label, "old-2", "old-3"} and "old-1" in out
    call_command("prune_models")
    assert "Удалять нечего" in capsys.readouterr().out


def test_an_administrator_pins_a_version_and_prunes_the_selected_ones(client, structuring_model):
    made = old_versions("old-1", "old-2", "old-3", "old-4")
    client.force_login(user("admin"))
    changelist = "/admin/structuring/modelversion/"
    page = client.get(changelist)
    assert page.status_code == 200 and "Удалить ненужные" in page.content.decode()
    assert "delete_selected" not in page.content.decode()  # no way around the prune's rule
    response = client.get(f"{changelist}{made['old-1'].pk}/change/")
    assert response.status_code == 200 and 'name="pinned"' in response.content.decode()
    response = client.post(f"{changelist}{made['old-1'].pk}/change/", {"pinned": "on"})
    assert response.status_code == 302
    assert ModelVersion.objects.get(label="old-1").pinned

    selected = [made[name].pk for name in ("old-1", "old-2", "old-4")] + [structuring_model.pk]
    response = client.post(changelist, {"action": "prune", "_selected_action": selected}, follow=True)

    assert response.status_code == 200 and "Удалены версии: old-2" in response.content.decode()
    # old-1 pinned, old-4 the previous one, the seed model active, old-3 not selected
    assert labels() == {structuring_model.label, "old-1", "old-3", "old-4"}


def test_a_prune_among_versions_that_must_stay_deletes_nothing(structuring_model):
    made = old_versions("old-1", "old-2")
    assert model_versions_prune(among=ModelVersion.objects.filter(pk__in=[made["old-2"].pk,
                                                                          structuring_model.pk])) == []
    assert model_versions_prune() == ["old-1"]


def test_training_needs_two_sectors():
    with pytest.raises(ValueError):
        model_train(examples=TINY[:2])


# A provider's name the seed examples never saw: operators teach it that «Квазар» means the power lines.
QUASAR = "Квазар опять ничего не сделал, звонили пять раз"


def test_corrections_become_examples_and_retraining_changes_predictions(make_appeal, cur_operator):
    assert sector_of(QUASAR) != "energy"
    outages = Subtopic.objects.get(code="energy.outages")
    for k in range(6):
        appeal = make_appeal(TOLYATTI, "roads", text=f"Квазар опять ничего не сделал, обращение {k}, ждём ответа")
        appeal_correct(appeal=appeal, by=cur_operator, changes={"subtopic": outages})
    # each correction became an example at once (the correction memory); collecting them again adds none
    assert TrainingExample.objects.filter(source="operator").count() == 6
    assert examples_from_corrections() == 0
    example = TrainingExample.objects.filter(source="operator").first()
    assert (example.sector, example.subtopic) == ("energy", "energy.outages")
    version = model_train()
    assert version.n_examples == TrainingExample.objects.count()
    assert sector_of(QUASAR) == "energy"


def test_automatic_structuring_is_not_taken_for_a_correction(make_appeal):
    appeal = make_appeal(PESTRAVKA, "roads", text="Нет горячей воды третий день")
    appeals_structure(appeal_ids=[appeal.pk])
    assert examples_from_corrections() == 0


def test_appeals_structure_fills_the_structure_and_records_one_event(make_appeal):
    routing_rules_load_default()
    appeal = make_appeal(TOLYATTI, "other", text="В Пестравке на ул. Молодёжной, д. 5 нет горячей воды. Суки!",
                         kind="appeal", citizen_name="", citizen_email="")
    appeal.subtopic = None
    appeal.save(update_fields=["subtopic"])
    assert appeals_structure(appeal_ids=[appeal.pk, appeal.pk]) == 1
    appeal.refresh_from_db()
    assert appeal.sector.code == "housing_utilities" and appeal.subtopic.code == "housing.hot_water"
    assert appeal.municipality.oktmo == PESTRAVKA
    assert appeal.settlement.name == "Пестравка"
    assert appeal.address == "ул. Молодёжная, д. 5"
    assert set(appeal.legal_flags) == {"no_name_or_address", "obscene_or_threatening"}
    assert appeal.proposed_agency.code == "mup_zhkh_pestravskiy"
    assert 0 < appeal.structuring_confidence < 1 and appeal.structured_at is not None
    assert appeal.structuring_model == ModelVersion.objects.get(is_active=True).label
    events = AppealEvent.objects.filter(appeal=appeal, reason=AUTO_REASON)
    assert events.count() == 1 and "подтема" in events.get().new_value
    # a retry changes nothing and adds no event
    version = appeal.version
    assert appeals_structure(appeal_ids=[appeal.pk]) == 0
    appeal.refresh_from_db()
    assert appeal.version == version and events.count() == 1


def test_appeals_structure_never_overwrites_what_an_operator_confirmed(make_appeal, cur_operator):
    appeal = make_appeal(TOLYATTI, "other", text="В Пестравке на ул. Молодёжной, д. 5 нет горячей воды")
    trees = Subtopic.objects.get(code="other.trees")
    appeal = appeal_correct(appeal=appeal, by=cur_operator,
                            changes={"subtopic": trees, "address": "ул. Мира, д. 1"})
    assert appeal.structuring_confidence == 1.0
    appeals_structure(appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    assert appeal.subtopic == trees and appeal.sector == Sector.objects.get(code="other")
    assert appeal.municipality.oktmo == TOLYATTI  # confirmed with the topic
    assert appeal.address == "ул. Мира, д. 1"
    assert appeal.structuring_confidence == 1.0
    assert appeal.structured_at is not None  # the rest (signs, proposal) is still filled


def test_an_abstention_never_erases_the_source_territory(make_appeal):
    appeal = make_appeal(TOLYATTI, "roads", text="Живу в Самаре, а дача в Пестравке: там нет света")
    appeals_structure(appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    assert appeal.municipality == Municipality.objects.get(oktmo=TOLYATTI)


def test_learn_on_corrected_labels_improves_the_held_back_half_of_the_test_set(tmp_path):
    """The test set is split in two halves of the same sector mix. The model structures the first
    half; the texts it gets wrong go to `learn` with their right labels, as an operator would
    correct them. The second half — never shown — is measured before and after."""
    teach, held = split(load_testset())
    before = report(held, run(held))
    fixes = corrections(teach, run(teach))
    assert len(fixes) >= 10
    source = tmp_path / "corrected.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "sector", "subtopic"])
        writer.writerows((e.text, e.sector, e.subtopic) for e in fixes)
    call_command("learn", input=str(source))
    after = report(held, run(held))
    correct = lambda r: round(r["sector"]["accuracy"] * r["n"])  # noqa: E731
    assert correct(after) >= correct(before) + 2
    assert after["subtopic_accuracy"] >= before["subtopic_accuracy"]
