"""The structuring tests share one model fitted on our seed examples, trained once per session and
stored like `bootstrap` stores it; a test that flushes the database gets it back from memory."""

import pytest

from structuring.models import ModelVersion, TrainingExample
from structuring.services import examples_load_seed, model_train


@pytest.fixture(scope="session")
def seed_version(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        examples_load_seed()
        version = model_train()
        return {"label": version.label, "n_examples": version.n_examples, "metrics": version.metrics,
                "fitted": bytes(version.fitted)}


@pytest.fixture(autouse=True)
def structuring_model(seed_version, db):
    """The seed model is active in every test (restored if a transactional test flushed it)."""
    if not ModelVersion.objects.filter(label=seed_version["label"]).exists():
        examples_load_seed()
        ModelVersion.objects.create(**seed_version, is_active=True)
    elif not ModelVersion.objects.filter(is_active=True).exists():
        ModelVersion.objects.filter(label=seed_version["label"]).update(is_active=True)
    assert TrainingExample.objects.filter(source="seed").exists()
    return ModelVersion.objects.get(label=seed_version["label"])
