"""Sector blocks (issue 12, item 7): the Пестравский МЦУ has the blocks of its founding decree
(cur/data/pestravka_mcu_blocks.csv), and a руководитель отраслевого блока sees the sectors of the blocks
they lead — several blocks, a block shared by several heads, a block of its own with its own sector."""

import csv

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from appeals.models import Appeal
from cur.demo import organisation_load_demo
from cur.models import Centre, Membership, Sector, SectorBlock
from cur.scoping import scope_appeals, scope_of
from cur.services import DATA_DIR
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


def pestravka() -> Centre:
    return Centre.objects.get(municipality__oktmo=PESTRAVKA)


def block(name: str) -> SectorBlock:
    return SectorBlock.objects.get(centre=pestravka(), name=name)


def own_sector(name: str) -> Sector:
    return Sector.objects.get(centre=pestravka(), name=name)


def sector_codes(username: str) -> set[str]:
    return set(Sector.objects.filter(pk__in=scope_of(user(username)).sector_ids).values_list("code", flat=True))


def head_of(*blocks: SectorBlock, username: str = "block_head"):
    person = get_user_model().objects.create_user(username, password="x-very-long-pass")
    membership = Membership.objects.create(user=person, role=Membership.Role.SECTOR_HEAD, centre=pestravka())
    membership.blocks.set(blocks)
    return person


def seen(person, appeals: dict[str, Appeal]) -> set[str]:
    visible = set(scope_appeals(Appeal.objects.all(), person).values_list("pk", flat=True))
    return {key for key, appeal in appeals.items() if appeal.pk in visible}


# --- The decree's blocks ---------------------------------------------------------------------------

def test_the_blocks_of_the_decree_are_all_there_in_its_order():
    with open(DATA_DIR / "pestravka_mcu_blocks.csv", encoding="utf-8") as fh:
        decree = [row["block"] for row in csv.DictReader(fh)]
    blocks = list(SectorBlock.objects.filter(centre=pestravka()).order_by("position"))
    assert len(decree) == 16  # the table of Приложение 2, one row a block
    assert [b.name for b in blocks] == decree
    assert [b.number for b in blocks] == ["3"] * 6 + ["4"] * 2 + ["5", "6", "7", "8", "9", "10", "11", "12"]


def test_a_block_covers_the_shared_sectors_the_decree_gives_it():
    zhkh = block("Жилищно-коммунальное хозяйство")
    assert {s.code for s in zhkh.sectors.all()} == {"housing_utilities", "energy", "waste"}
    assert zhkh.head_position.count(";") == 1 and "МУП «ЖКХ Пестравского района»" in zhkh.head_position
    assert {s.code for s in block("Транспорт, безопасность дорожного движения").sectors.all()} == {"transport",
                                                                                                   "roads"}
    assert {s.code for s in block("Семья, материнство и детство").sectors.all()} == {"social_protection"}


def test_each_block_of_its_own_has_a_sector_of_the_centre():
    own = ["Культура и молодежная политика", "Физкультура и спорт", "Торговля и промышленность",
           "Предпринимательство", "Агропромышленный комплекс", "Земельные вопросы", "Правовые вопросы"]
    for name in own:
        assert [(s.name, s.centre_id) for s in block(name).sectors.all()] == [(name, pestravka().pk)], name
    assert set(Sector.objects.filter(centre=pestravka()).values_list("name", flat=True)) == set(own)
    assert own_sector("Физкультура и спорт").code == "mcu-pestravskiy-block-3-3"
    assert own_sector("Правовые вопросы").code == "mcu-pestravskiy-block-12"


def test_loading_the_demo_twice_changes_nothing():
    def snapshot():
        return (
            sorted(SectorBlock.objects.values_list("pk", "centre_id", "number", "name", "head_position", "position")),
            sorted(SectorBlock.sectors.through.objects.values_list("sectorblock_id", "sector_id")),
            sorted(Sector.objects.values_list("pk", "code", "name", "centre_id", "position")),
            sorted(Membership.objects.values_list("pk", "user_id", "role", "centre_id", "agency_id")),
            sorted(Membership.blocks.through.objects.values_list("membership_id", "sectorblock_id")),
        )

    before = snapshot()
    counts = organisation_load_demo()
    assert snapshot() == before
    assert organisation_load_demo() == counts
    assert snapshot() == before
    assert counts["own_blocks"] == 7


def test_an_earlier_demos_own_sector_goes_unless_an_appeal_holds_it(make_appeal):
    """The demo before blocks made own sectors without a block: a reload removes those nothing holds."""
    centre = pestravka()
    gone = Sector.objects.create(code="mcu-pestravskiy-agriculture", name="Сельское хозяйство", centre=centre)
    held = Sector.objects.create(code="mcu-pestravskiy-landscaping", name="Благоустройство", centre=centre)
    appeal = make_appeal(PESTRAVKA, held.code, text="Нет скамеек в парке")

    organisation_load_demo()

    assert not Sector.objects.filter(pk=gone.pk).exists()
    assert Appeal.objects.get(pk=appeal.pk).sector_id == held.pk


def test_a_block_an_administrator_added_survives_a_reload():
    tourism = Sector.objects.create(code="mcu-pestravskiy-tourism", name="Туризм", centre=pestravka())
    added = SectorBlock.objects.create(centre=pestravka(), number="13", name="Туризм")
    added.sectors.set([tourism])

    organisation_load_demo()

    assert [s.pk for s in SectorBlock.objects.get(pk=added.pk).sectors.all()] == [tourism.pk]


# --- Scope follows the blocks ----------------------------------------------------------------------

@pytest.fixture
def appeals(make_appeal):
    """One Пестравский appeal per sector the tests talk about, and a Тольятти one in a sector of block 3."""
    return {
        "housing": make_appeal(PESTRAVKA, "housing_utilities", text="Нет горячей воды"),
        "energy": make_appeal(PESTRAVKA, "energy", text="Нет света на улице Советской"),
        "waste": make_appeal(PESTRAVKA, "waste", text="Не вывозят мусор"),
        "roads": make_appeal(PESTRAVKA, "roads", text="Яма на дороге"),
        "education": make_appeal(PESTRAVKA, "education", text="Нет мест в детском саду"),
        "healthcare": make_appeal(PESTRAVKA, "healthcare", text="Нет терапевта в ФАП"),
        "social": make_appeal(PESTRAVKA, "social_protection", text="Не пришла выплата"),
        "culture": make_appeal(PESTRAVKA, "mcu-pestravskiy-block-3-2", text="Закрыт дом культуры"),
        "law": make_appeal(PESTRAVKA, "mcu-pestravskiy-block-12", text="Нужна консультация юриста"),
        "other": make_appeal(PESTRAVKA, "other", text="Не покрашены скамейки"),
        "tolyatti_education": make_appeal(TOLYATTI, "education", text="Нет мест в школе"),
    }


def test_a_head_of_several_blocks_sees_the_union_of_their_sectors_and_nothing_else(appeals):
    social = user("pestravka_social")  # the deputy head for social questions: the six blocks numbered 3
    assert Membership.objects.get(user=social).blocks.count() == 6
    assert sector_codes("pestravka_social") == {"social_protection", "education", "healthcare",
                                                "mcu-pestravskiy-block-3-2", "mcu-pestravskiy-block-3-3"}
    assert seen(social, appeals) == {"education", "healthcare", "social", "culture"}


def test_a_head_of_blocks_of_different_numbers_sees_both(appeals):
    head = head_of(block("Жилищно-коммунальное хозяйство"), block("Правовые вопросы"))
    assert seen(head, appeals) == {"housing", "energy", "waste", "law"}


def test_a_block_with_two_heads_is_seen_by_both(appeals):
    for username in ("pestravka_zhkh", "pestravka_infra"):
        assert [str(b) for b in Membership.objects.get(user__username=username).blocks.all()] == [
            "МЦУ м.р. Пестравский: 7. Жилищно-коммунальное хозяйство"], username
        assert sector_codes(username) == {"housing_utilities", "energy", "waste"}
        assert seen(user(username), appeals) == {"housing", "energy", "waste"}, username
    assert block("Жилищно-коммунальное хозяйство").heads.count() == 2


def test_an_own_block_scopes_to_its_own_sector(appeals):
    head = head_of(block("Правовые вопросы"))
    assert scope_of(head).sector_ids == (own_sector("Правовые вопросы").pk,)
    assert seen(head, appeals) == {"law"}


def test_a_sector_head_without_a_block_sees_nothing(appeals):
    assert seen(head_of(), appeals) == set()


def test_a_block_of_another_centre_adds_nothing(appeals):
    tolyatti_education = SectorBlock.objects.get(centre__municipality__oktmo=TOLYATTI, name="Образование")
    head = head_of(block("Правовые вопросы"), tolyatti_education)
    assert seen(head, appeals) == {"law"}


def test_the_admin_lists_the_blocks_and_edits_a_heads_blocks(client):
    client.force_login(user("admin"))
    page = client.get("/admin/cur/sectorblock/").content.decode()
    assert "Правовые вопросы" in page and "Жилищно-коммунальное хозяйство" in page
    social = user("pestravka_social")
    change = client.get(f"/admin/auth/user/{social.pk}/change/").content.decode()
    for led in Membership.objects.get(user=social).blocks.all():
        assert f'<option value="{led.pk}" selected>{led}</option>' in change


# --- The migration of the former Membership.sectors -------------------------------------------------

BEFORE = [("cur", "0005_sla_policy_vocabulary")]


def after():
    """0006 and the cur migrations after it: the rest of the test (and of the session) reads today's tables."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes("cur")


def test_the_migration_turns_each_heads_sectors_into_blocks_of_their_centre_and_back():
    centre_id = pestravka().pk  # with today's model, before the tables go back to 0005
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldMembership, OldSector, OldUser = (old.get_model("cur", "Membership"), old.get_model("cur", "Sector"),
                                        old.get_model("auth", "User"))
    housing, roads = OldSector.objects.get(code="housing_utilities"), OldSector.objects.get(code="roads")
    first, second = (OldMembership.objects.create(user=OldUser.objects.create(username=name), role="sector_head",
                                                  centre_id=centre_id) for name in ("first_head", "second_head"))
    first.sectors.set([housing, roads])
    second.sectors.set([housing])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks, before the migration drops a table

    MigrationExecutor(connection).migrate(after())

    assert sector_codes("first_head") == {"housing_utilities", "roads"}
    assert sector_codes("second_head") == {"housing_utilities"}
    shared = Membership.objects.get(user__username="second_head").blocks.get()
    assert (shared.centre_id, shared.name) == (centre_id, "Жилищно-коммунальное хозяйство")
    # One block per centre and sector, shared by its heads — the demo's block-7 heads came back to it too.
    assert set(shared.heads.values_list("user__username", flat=True)) == {"first_head", "second_head",
                                                                          "pestravka_zhkh", "pestravka_infra"}

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    restored = old.get_model("cur", "Membership").objects.get(user__username="first_head")
    assert {s.code for s in restored.sectors.all()} == {"housing_utilities", "roads"}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MigrationExecutor(connection).migrate(after())
