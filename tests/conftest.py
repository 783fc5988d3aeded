"""Shared test setup: the reference data and the demo organisation are loaded once into the test
database, through the same services `make run` uses; personas are the demo accounts."""

from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from appeals.lifecycle.creation import appeal_create
from cur.demo import organisation_load_demo
from cur.models import Agency, Sector, Subtopic
from cur.options import forget_options
from cur.services import calendar_load, rubricator_load, sla_policies_load
from municipalities.models import Municipality, Region, Settlement
from municipalities.services import territory_load
from reports.indicators.services import indicators_load_seed
from tests.personas import user


def load_reference() -> None:
    territory_load()
    rubricator_load()
    sla_policies_load()
    for region in Region.objects.all():
        calendar_load(region=region)
        indicators_load_seed(region=region)
    organisation_load_demo()


@pytest.fixture(autouse=True)
def fresh_option_lists():
    """Each test rolls its reference rows back: option lists kept by the process must not outlive it."""
    forget_options()
    yield
    forget_options()


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """PBKDF2's deliberate slowness protects passwords, not tests: hash with MD5 in the suite."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(fast_password_hashing, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def reference(db):
    """For transactional tests, whose flush removes the session data: load it again."""
    if not Region.objects.exists():
        load_reference()


# Personas (STYLE.md): one fixture per role the tests talk about.
def persona(username: str):
    @pytest.fixture
    def fixture(db):
        return user(username)

    return fixture


cur_operator = persona("cur_operator")
cur_curator = persona("cur_curator")
pestravka_operator = persona("pestravka_operator")
pestravka_zhkh = persona("pestravka_zhkh")
tolyatti_operator = persona("tolyatti_operator")
executor_zhkh = persona("executor_pestravka_zhkh")


@pytest.fixture
def make_appeal(db):
    """Create an appeal through the real service: make_appeal(oktmo, sector_code, agency_code=…)."""

    def make(oktmo: str, sector: str = "housing_utilities", agency: str | None = None,
             received_at: datetime | None = None, **fields):
        municipality = Municipality.objects.get(oktmo=oktmo)
        subtopic = Subtopic.objects.filter(sector__code=sector).order_by("code").first()
        received_at = received_at or timezone.now() - timedelta(days=2)
        fields.setdefault("due_at", received_at + timedelta(days=10))
        return appeal_create(
            region=municipality.region, kind=fields.pop("kind", "message"), channel=fields.pop("channel", "pos"),
            text=fields.pop("text", "Нет горячей воды третий день, ул. Молодёжная, д. 5"), received_at=received_at,
            municipality=municipality, sector=Sector.objects.get(code=sector), subtopic=subtopic,
            settlement=Settlement.objects.filter(municipality=municipality, is_admin_centre=True).first(),
            agency=Agency.objects.get(code=agency) if agency else None,
            citizen_name=fields.pop("citizen_name", "Петрова Анна Сергеевна"),
            citizen_email=fields.pop("citizen_email", "petrova@example.ru"), **fields,
        )

    return make

