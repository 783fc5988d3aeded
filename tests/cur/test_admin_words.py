"""The admin reads as Russian: every model named in Russian with a real plural, the accusative where
Django says «Добавить …» / «Выберите … для изменения», and messages that do not guess a gender."""

import re

import pytest
from django.apps import apps
from django.contrib import admin

from cur.models import Sector, Subtopic
from cur.templatetags.admin_words import ACCUSATIVE
from tests.personas import user

OURS = ("cur", "appeals", "municipalities", "structuring", "rollups", "ratings", "heatmap")
CYRILLIC = re.compile(r"^[а-яё]", re.I)


def our_models():
    return [m for label in OURS if label in apps.app_configs for m in apps.get_app_config(label).get_models()]


def test_every_model_has_russian_names_and_a_plural_of_its_own():
    for model in our_models():
        opts = model._meta
        assert CYRILLIC.match(str(opts.verbose_name)), opts.label
        assert CYRILLIC.match(str(opts.verbose_name_plural)), opts.label
        assert str(opts.verbose_name_plural) != str(opts.verbose_name), f"{opts.label}: the plural is the singular"


def test_the_accusative_is_kept_for_models_that_exist():
    for label in ACCUSATIVE:
        assert apps.get_model(label)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "phrases"), [
    ("/admin/cur/subtopic/", ["Выберите подтему для изменения", "Добавить подтему"]),
    ("/admin/cur/subtopic/add/", ["<h1>Добавить подтему</h1>", "&rsaquo; Добавить подтему"]),
    ("/admin/cur/sector/", ["Выберите отраслевую тематику для изменения", "Добавить отраслевую тематику"]),
    ("/admin/cur/agency/add/", ["<h1>Добавить ответственного получателя</h1>"]),
    ("/admin/auth/user/", ["Выберите пользователя для изменения", "Добавить пользователя"]),
    ("/admin/cur/centre/", ["Выберите центр управления для изменения", "Добавить центр управления"]),
])
def test_the_admin_declines_the_names_where_django_uses_them(client, url, phrases):
    client.force_login(user("admin"))
    html = client.get(url).content.decode()
    for phrase in phrases:
        assert phrase in html
    assert "Добавить подтема" not in html and "Выберите подтема" not in html


@pytest.mark.django_db
def test_the_change_page_of_a_subtopic_reads_right(client):
    client.force_login(user("admin"))
    subtopic = Subtopic.objects.order_by("pk").first()
    html = client.get(f"/admin/cur/subtopic/{subtopic.pk}/change/").content.decode()
    assert "<h1>Изменить подтему</h1>" in html


@pytest.mark.django_db
def test_the_messages_name_the_model_without_guessing_its_gender(client):
    client.force_login(user("admin"))
    response = client.post("/admin/cur/sector/add/", {
        "code": "test-sector", "name": "Проверочная тематика", "position": 50,
        "subtopics-TOTAL_FORMS": 0, "subtopics-INITIAL_FORMS": 0,
        "sla_policies-TOTAL_FORMS": 0, "sla_policies-INITIAL_FORMS": 0,
    }, follow=True)
    html = response.content.decode()
    assert Sector.objects.filter(code="test-sector").exists(), html[:3000]
    assert "Добавлено: отраслевая тематика «" in html
    assert "был успешно добавлен" not in html

    sector = Sector.objects.get(code="test-sector")
    html = client.post(f"/admin/cur/sector/{sector.pk}/delete/", {"post": "yes"}, follow=True).content.decode()
    assert "Удалено: отраслевая тематика «Проверочная тематика»" in html


@pytest.mark.django_db
def test_every_registered_page_of_ours_opens(client):
    client.force_login(user("admin"))
    for model in our_models():
        if admin.site.is_registered(model):
            opts = model._meta
            assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/").status_code == 200, opts.label
