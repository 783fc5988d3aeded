"""The demo organisation: centres, sector blocks, agencies (cur/data/demo_organisation.json; the
Пестравский МЦУ's blocks from its decree's table, cur/data/pestravka_mcu_blocks.csv) and an account
per role — three heads of blocks among them — so a newcomer can log in as each of them."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import router, transaction
from django.db.models import ProtectedError
from django.db.models.deletion import Collector

from cur.accounts import administrator_ensure
from cur.models import Agency, ApiClient, Centre, FastTrack, Membership, Sector, SectorBlock, Subtopic
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
    blocks: tuple[str, ...] = ()  # a sector head's blocks by the decree's number: "3" is all six of block 3
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
    DemoAccount("pestravka_zhkh", Role.SECTOR_HEAD, "МЦУ Пестравского района, блок 7 «ЖКХ»",
                centre="mcu_pestravskiy", blocks=("7",), full_name="Руководитель блока ЖКХ"),
    # Block 7 has more than one head in the decree (МУП «ЖКХ» and the infrastructure specialist).
    DemoAccount("pestravka_infra", Role.SECTOR_HEAD, "МЦУ Пестравского района, блок 7 «ЖКХ» (второй руководитель)",
                centre="mcu_pestravskiy", blocks=("7",), full_name="Главный специалист по инфраструктуре"),
    # One head of several blocks: the deputy head for social questions leads the six blocks numbered 3.
    DemoAccount("pestravka_social", Role.SECTOR_HEAD, "МЦУ Пестравского района, блоки 3 (социальные вопросы)",
                centre="mcu_pestravskiy", blocks=("3",), full_name="Заместитель главы по социальным вопросам"),
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
    """Create or update the demo centres, their sector blocks, agencies and demo users. Loading it
    again changes nothing; blocks an administrator added to a centre are kept."""
    data = json.loads((DATA_DIR / "demo_organisation.json").read_text(encoding="utf-8"))
    regions = {r.code: r for r in Region.objects.all()}
    municipalities = {m.oktmo: m for m in Municipality.objects.all()}
    sectors = {s.code: s for s in Sector.objects.filter(centre__isnull=True)}

    centres: dict[str, Centre] = {}
    counts = Counter()
    for row in data["centres"]:
        centre, _ = Centre.objects.update_or_create(
            region=regions[row["region"]],
            municipality=municipalities.get(row["municipality_oktmo"]) if row["municipality_oktmo"] else None,
            level=row["level"],
            defaults={"name": row["name"], "short_name": row["short_name"],
                      "parent": centres.get(row["parent"]) if row["parent"] else None,
                      "phone": row.get("phone", ""), "email": row.get("email", ""),
                      "address": row.get("address", "")},
        )
        centres[row["key"]] = centre
        counts.update(_centre_blocks_load(centre=centre, key=row["key"], blocks=_blocks_of(row), sectors=sectors))

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

    _demo_users(centres, agencies)
    clients = _demo_api_clients(data.get("api_clients", []), centres=centres, agencies=agencies)
    tracks = _fast_tracks_load(data.get("fast_tracks", []), regions=regions, municipalities=municipalities,
                               agencies=agencies)
    return {"centres": len(centres), "blocks": counts["blocks"], "own_blocks": counts["own_blocks"],
            "agencies": len(agencies), "users": len(ACCOUNTS), "fast_tracks": tracks, "api_clients": clients}


def _fast_tracks_load(rows: list[dict], *, regions, municipalities, agencies) -> int:
    """The demo's fast-track mechanisms (typical problems with an agreed body and deadline), by name and region:
    loading again changes nothing an administrator edited but the subtopics listed."""
    subtopics = {s.code: s for s in Subtopic.objects.all()}
    for row in rows:
        track, _ = FastTrack.objects.get_or_create(
            region=regions[row["region"]], name=row["name"],
            defaults={"municipality": municipalities.get(row["municipality_oktmo"]) if row["municipality_oktmo"]
                      else None, "agency": agencies[row["agency"]], "action": row["action"],
                      "deadline_days": row["deadline_days"], "answer_template": row["answer_template"],
                      "evidence_required": row["evidence_required"]})
        track.subtopics.add(*[subtopics[code] for code in row["subtopics"] if code in subtopics])
    return len(rows)


def _blocks_of(row: dict) -> list[dict]:
    """The blocks of one centre of demo_organisation.json: its own list, or its decree's table
    (`blocks_table`, a CSV of cur/data/ — see cur/data/README.md)."""
    if "blocks_table" not in row:
        return [{"number": "", "code": block["code"], "name": block["name"], "head_position": "",
                 "sectors": block["sectors"]} for block in row.get("blocks", [])]
    with open(DATA_DIR / row["blocks_table"], encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    sharing = Counter(line["block_no"] for line in table)
    place = Counter()
    blocks = []
    for line in table:
        number = line["block_no"]
        place[number] += 1
        # Blocks sharing the decree's number (3: social questions) are told apart by their place in it.
        code = f"block-{number}-{place[number]}" if sharing[number] > 1 else f"block-{number}"
        blocks.append({"number": number, "code": code, "name": line["block"], "head_position": line["head_position"],
                       "sectors": [c.strip() for c in line["sectors"].split(";") if c.strip()]})
    return blocks


def _centre_blocks_load(*, centre: Centre, key: str, blocks: list[dict], sectors: dict[str, Sector]) -> Counter:
    """Create or update the centre's `blocks`. A block covers the shared sectors it names; a block of its
    own (it names none) covers a Sector of this centre, created for it."""
    own = 0
    for position, spec in enumerate(blocks, start=1):
        unknown = [code for code in spec["sectors"] if code not in sectors]
        if unknown:
            raise ValueError(f"Блок «{spec['name']}» центра {key}: неизвестные тематики {unknown}")
        covered = [sectors[code] for code in spec["sectors"]]
        if not covered:
            sector, _ = Sector.objects.update_or_create(
                code=f"{key}-{spec['code']}".replace("_", "-"),
                defaults={"name": spec["name"], "centre": centre, "position": 20 + position},
            )
            covered = [sector]
            own += 1
        block, _ = SectorBlock.objects.update_or_create(
            centre=centre, name=spec["name"],
            defaults={"number": spec["number"], "head_position": spec["head_position"], "position": position},
        )
        block.sectors.set(covered)
    _own_sectors_retire(centre=centre)
    return Counter(blocks=len(blocks), own_blocks=own)


def _own_sectors_retire(*, centre: Centre) -> None:
    """Remove the centre's own sectors that no block covers (an earlier demo made them without blocks) —
    only those whose deletion takes nothing else with it: an appeal, a subtopic, a deadline or routing
    rule keeps one."""
    for sector in Sector.objects.filter(centre=centre, blocks__isnull=True):
        collector = Collector(using=router.db_for_write(Sector))
        try:
            collector.collect([sector])
        except ProtectedError:
            continue
        dragged = [model for model in collector.data if model is not Sector]
        dragged += [qs for qs in collector.fast_deletes if not qs.model._meta.auto_created and qs.exists()]
        if not dragged:
            sector.delete()


def _demo_api_clients(rows: list[dict], *, centres, agencies) -> int:
    """The demo's integration clients (a regional portal, a МЦУ's system, a body's dispatch), without tokens: a
    token is issued by the admin or `manage.py api_token` and shown once (bootstrap issues the portal's one)."""
    from cur.api_clients import api_client_create

    for row in rows:
        if not ApiClient.objects.filter(name=row["name"]).exists():
            api_client_create(name=row["name"], role=row["role"], centre=centres.get(row.get("centre")),
                              agency=agencies.get(row.get("agency")), contact=row.get("contact", ""))
    return len(rows)


DEMO_TOKEN_FILE = "demo-api-token.txt"


def demo_api_token_ensure() -> None:
    """Demo mode: the demo portal's token, kept in var/demo-api-token.txt, so a newcomer can try the API at once
    (docs/api.md). Issued again when the file's token is not one of this database (a fresh database, or none
    yet). Only `make run` (serve, demo mode) calls this — never production, a bench or a test."""
    from cur.api_clients import api_token_authenticate, api_token_issue

    path = settings.BASE_DIR / "var" / DEMO_TOKEN_FILE
    client = ApiClient.objects.filter(name="Демо: портал Самарской области").first()
    if client is None:
        return
    if path.exists() and api_token_authenticate(path.read_text(encoding="utf-8").strip()) is not None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(api_token_issue(client=client).raw + "\n", encoding="utf-8")
    path.chmod(0o600)


def _demo_users(centres, agencies) -> None:
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
        blocks = list(SectorBlock.objects.filter(centre=centres[account.centre], number__in=account.blocks)
                      if account.blocks else [])
        if {block.number for block in blocks} != set(account.blocks):  # a head of no block would see nothing
            raise ValueError(f"{account.username}: нет блоков {sorted(account.blocks)} у центра {account.centre}")
        membership.blocks.set(blocks)
    head = User.objects.get(username="cur_head")
    head.user_permissions.set(Permission.objects.filter(
        content_type__app_label__in=["cur", "municipalities"],
        codename__regex=(r"^(view|change|add)_(sector|subtopic|agency|settlement|population|municipality"
                         r"|slapolicy|calendarday|sectorblock|apiclient|apitoken)$"),
    ))
    administrator_ensure()  # bootstrap has printed its password when it created it first
