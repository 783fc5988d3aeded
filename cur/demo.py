"""The demo organisation: centres, sector blocks, agencies (cur/data/demo_organisation.json) and
one account per role, so a newcomer can log in as each of them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from cur.accounts import administrator_ensure
from cur.models import Agency, Centre, Membership, Sector
from cur.services import DATA_DIR
from municipalities.models import Municipality, Region

# The role accounts of the demo share one password, shown on the login page in demo mode only. The
# administrator is not a demo account: its password is generated per installation (cur/accounts.py).
DEMO_PASSWORD = "demo-cur-2026"
Role = Membership.Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str
    centre: str | None = None  # key in demo_organisation.json
    agency: str | None = None
    sectors: tuple[str, ...] = ()
    full_name: str = ""
    password: str = DEMO_PASSWORD


ACCOUNTS = [
    DemoAccount("cur_curator", Role.CURATOR, "ЦУР Самарской области", centre="cur_samara",
                full_name="Куратор ЦУР"),
    DemoAccount("cur_head", Role.HEAD, "ЦУР Самарской области", centre="cur_samara",
                full_name="Руководитель ЦУР"),
    DemoAccount("cur_operator", Role.IM_POS_OFFICER, "ЦУР Самарской области", centre="cur_samara",
                full_name="Оператор ИМ и ПОС ЦУР"),
    DemoAccount("cur_integrator", Role.INTEGRATOR, "ЦУР Самарской области (REST API)", centre="cur_samara",
                full_name="Интеграция"),
    DemoAccount("pestravka_head", Role.HEAD, "МЦУ Пестравского района", centre="mcu_pestravskiy",
                full_name="Руководитель МЦУ"),
    DemoAccount("pestravka_curator", Role.CURATOR, "МЦУ Пестравского района", centre="mcu_pestravskiy",
                full_name="Куратор МЦУ"),
    DemoAccount("pestravka_operator", Role.IM_POS_OFFICER, "МЦУ Пестравского района", centre="mcu_pestravskiy",
                full_name="Ответственный за ИМ и ПОС"),
    DemoAccount("pestravka_zhkh", Role.SECTOR_HEAD, "МЦУ Пестравского района, блок ЖКХ", centre="mcu_pestravskiy",
                sectors=("housing_utilities",), full_name="Руководитель блока ЖКХ"),
    DemoAccount("tolyatti_operator", Role.OPERATOR, "МЦУ г. о. Тольятти", centre="mcu_tolyatti",
                full_name="Оператор МЦУ Тольятти"),
    DemoAccount("volzhsky_operator", Role.OPERATOR, "МЦУ Волжского района", centre="mcu_volzhskiy",
                full_name="Оператор МЦУ Волжского района"),
    DemoAccount("executor_pestravka_adm", Role.EXECUTOR, "Администрация Пестравского района",
                agency="adm_pestravskiy_mr", full_name="Исполнитель администрации"),
    DemoAccount("executor_pestravka_zhkh", Role.EXECUTOR, "МУП ЖКХ Пестравского района",
                agency="mup_zhkh_pestravskiy", full_name="Исполнитель МУП ЖКХ"),
    DemoAccount("executor_minobr", Role.EXECUTOR, "Министерство образования Самарской области",
                agency="minobr_so", full_name="Исполнитель министерства"),
]

DEMO_ACCOUNTS = [
    {"username": a.username, "password": a.password, "role": Role(a.role).label, "scope": a.scope}
    for a in ACCOUNTS
]


@transaction.atomic
def organisation_load_demo() -> dict[str, int]:
    """Create or update the demo centres, their own sector blocks, agencies and demo users."""
    data = json.loads((DATA_DIR / "demo_organisation.json").read_text(encoding="utf-8"))
    regions = {r.code: r for r in Region.objects.all()}
    municipalities = {m.oktmo: m for m in Municipality.objects.all()}
    sectors = {s.code: s for s in Sector.objects.filter(centre__isnull=True)}

    centres: dict[str, Centre] = {}
    own_blocks = 0
    for row in data["centres"]:
        centre, _ = Centre.objects.update_or_create(
            region=regions[row["region"]],
            municipality=municipalities.get(row["municipality_oktmo"]) if row["municipality_oktmo"] else None,
            level=row["level"],
            defaults={"name": row["name"], "short_name": row["short_name"],
                      "parent": centres.get(row["parent"]) if row["parent"] else None},
        )
        centres[row["key"]] = centre
        for position, block in enumerate(row.get("blocks", []), start=20):
            if block["code"] in sectors:
                continue  # one of the nine shared sectors: the block is that sector
            Sector.objects.update_or_create(
                code=f"{row['key']}-{block['code']}".replace("_", "-"),
                defaults={"name": block["name"], "centre": centre, "position": position},
            )
            own_blocks += 1

    agencies: dict[str, Agency] = {}
    for row in data["agencies"]:
        agency, _ = Agency.objects.update_or_create(
            code=row["key"],
            defaults={
                "name": row["name"], "short_name": row["short_name"], "kind": row["kind"],
                "region": regions[row["region"]],
                "municipality": municipalities[row["municipality_oktmo"]] if row["municipality_oktmo"] else None,
                "parent": agencies[row["parent"]] if row["parent"] else None,
                "email": row.get("email", ""),
            },
        )
        agency.sectors.set([sectors[code] for code in row["sectors"] if code in sectors])
        agencies[row["key"]] = agency

    _demo_users(centres, agencies, sectors)
    return {"centres": len(centres), "own_blocks": own_blocks, "agencies": len(agencies), "users": len(ACCOUNTS)}


def _demo_users(centres, agencies, sectors) -> None:
    User = get_user_model()
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(username=account.username)
        first, _, last = account.full_name.partition(" ")
        user.first_name, user.last_name = first, last
        if created:
            user.set_password(account.password)
        user.is_staff = account.username == "cur_head"  # edits reference data in the admin
        user.save()
        membership, _ = Membership.objects.update_or_create(
            user=user,
            defaults={
                "role": account.role,
                "centre": centres[account.centre] if account.centre else None,
                "agency": agencies[account.agency] if account.agency else None,
            },
        )
        membership.sectors.set([sectors[code] for code in account.sectors])
    head = User.objects.get(username="cur_head")
    head.user_permissions.set(Permission.objects.filter(
        content_type__app_label__in=["cur", "municipalities"],
        codename__regex=(r"^(view|change|add)_(sector|subtopic|agency|settlement|population|municipality"
                         r"|slapolicy|calendarday)$"),
    ))
    administrator_ensure()  # bootstrap has printed its password when it created it first
