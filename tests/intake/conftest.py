"""Intake tests: emulators of the sources served in a thread, clients with short waits."""

import pytest
from django.test import override_settings

from appeals.sources.client import ClientConfig, SourceClient
from appeals.sources.emulator import Faults, FeedEmulator, places_of_region, serve
from municipalities.models import Region


@pytest.fixture(autouse=True)
def no_structuring():
    """Intake is tested on its own: nothing is handed to the structuring pipeline's broker queue."""
    with override_settings(CUR_INTAKE_STRUCTURE=False):
        yield


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploaded files land in the test's own folder, never in ./var."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def samara(db):
    return Region.objects.get(code="samara")


@pytest.fixture
def feed(db):
    """feed("pos"|"im", items=…, **faults) → a running emulator (its `.url`, its `.emulator` truth)."""
    running = []

    def start(kind: str, *, items: int = 0, updates: int = 0, seed: int = 11, token: str = "", **faults):
        emulator = FeedEmulator(kind, places=places_of_region("samara"), seed=seed, token=token,
                                faults=Faults(**{"retry_after": 0.0, "timeout_seconds": 1.0, **faults}))
        emulator.add(items)
        emulator.update(updates)
        server = serve(emulator)
        running.append(server)
        return server

    yield start
    for server in running:
        server.stop()


def fast_client(url: str, *, token: str = "", attempts: int = 10) -> SourceClient:
    return SourceClient(ClientConfig(base_url=url, token=token, timeout=0.3, attempts=attempts, backoff=0.01,
                                     max_backoff=0.05))


def database_equals_truth(channel: str, truth: dict) -> None:
    """Every item of the source once, at its latest version; every broken record in the quarantine."""
    from appeals.models import Appeal, QuarantinedItem

    rows = list(Appeal.objects.filter(channel=channel).values_list("external_id", "source_version"))
    held = dict(rows)
    assert len(rows) == len(held), "an item was taken in twice"
    missing = set(truth["items"]) - set(held)
    assert not missing, f"lost: {sorted(missing)[:5]}"
    assert held == truth["items"]
    quarantined = QuarantinedItem.objects.filter(source=channel)
    with_id = {m for m in truth["malformed"] if not m.startswith("<")}
    assert set(quarantined.exclude(external_id="").values_list("external_id", flat=True)) == with_id
    assert quarantined.count() == len(truth["malformed"])
