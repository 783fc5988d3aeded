"""The organisation: centres (ЦУР / МЦУ), sectors and subtopics, agencies, and who is who."""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from cur.vocabulary import Channel, Importance, Kind


class Centre(models.Model):
    """ЦУР of a region or МЦУ of one municipality; a МЦУ reports to its region's ЦУР."""

    class Level(models.TextChoices):
        REGION = "region", "ЦУР (регион)"
        MUNICIPAL = "municipal", "МЦУ (муниципалитет)"

    level = models.CharField("уровень", max_length=16, choices=Level.choices)
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="centres", verbose_name="регион")
    municipality = models.OneToOneField(
        "municipalities.Municipality", models.PROTECT, null=True, blank=True,
        related_name="centre", verbose_name="муниципальное образование",
    )
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="вышестоящий ЦУР"
    )
    name = models.CharField("название", max_length=300)
    short_name = models.CharField("краткое название", max_length=100)
    # The centre's public contacts: a citizen whose verdict link no longer works is sent here.
    phone = models.CharField("телефон для граждан", max_length=64, blank=True)
    email = models.EmailField("эл. почта для граждан", blank=True)
    address = models.CharField("адрес приёмной", max_length=300, blank=True)

    class Meta:
        verbose_name = "центр управления"
        verbose_name_plural = "центры управления"
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="region", municipality__isnull=True, parent__isnull=True)
                           | Q(level="municipal", municipality__isnull=False)),
                name="centre_level_territory",
                violation_error_message="У ЦУР нет муниципалитета; у МЦУ он обязателен.",
            ),
            models.UniqueConstraint(fields=["region"], condition=Q(level="region"), name="one_cur_per_region"),
        ]

    option_fields = ("short_name",)  # what __str__ shows: option lists are read without model instances

    def __str__(self) -> str:
        return self.short_name


class Sector(models.Model):
    """Отраслевая тематика. The nine shared ones (eight socially significant + «прочее») have no
    centre; the sector of a centre's block of its own (SectorBlock «Культура и молодежная политика»,
    which shares none of the nine) carries that centre."""

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=200)
    is_socially_significant = models.BooleanField("социально значимая", default=False)
    centre = models.ForeignKey(
        Centre, models.CASCADE, null=True, blank=True, related_name="own_sectors",
        verbose_name="собственный блок центра",
    )
    position = models.PositiveSmallIntegerField("порядок", default=100)

    class Meta:
        verbose_name = "отраслевая тематика"
        verbose_name_plural = "отраслевые тематики"
        ordering = ["position", "name"]

    option_fields = ("name",)  # what __str__ shows: option lists are read without model instances

    def __str__(self) -> str:
        return self.name


class Subtopic(models.Model):
    """Подтема of a sector: seasonality and the evidence flag; its own deadlines are SlaPolicy rows."""

    sector = models.ForeignKey(Sector, models.PROTECT, related_name="subtopics", verbose_name="тематика")
    code = models.CharField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=300)
    seasonal = models.CharField(
        "сезонность", max_length=32, blank=True, help_text="winter, summer, spring-summer…; пусто — круглый год."
    )
    evidence_required = models.BooleanField("нужен фотоотчёт / акт", default=False)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "подтема"
        verbose_name_plural = "подтемы"
        ordering = ["sector__position", "name"]

    option_fields = ("name",)  # what __str__ shows: option lists are read without model instances

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """Ответственный получатель: ОИВ, ОМСУ, учреждение или организация, as a tree
    (ОИВ → подведомственное учреждение; ОМСУ → сельское поселение)."""

    class Kind(models.TextChoices):
        OIV = "oiv", "ОИВ"
        OMSU = "omsu", "ОМСУ"
        INSTITUTION = "institution", "учреждение"
        ORGANISATION = "organisation", "организация"

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="agencies", verbose_name="регион")
    municipality = models.ForeignKey(
        "municipalities.Municipality", models.PROTECT, null=True, blank=True, related_name="agencies",
        verbose_name="территория", help_text="Пусто — весь регион.",
    )
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="вышестоящий орган"
    )
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    code = models.SlugField("код", max_length=80, unique=True)
    name = models.CharField("полное название", max_length=400)
    short_name = models.CharField("краткое название", max_length=150)
    email = models.EmailField("эл. почта", blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="agencies", verbose_name="тематики")
    is_active = models.BooleanField("действует", default=True)

    # Working schedule in the region's time zone, Monday to Friday on the production calendar;
    # working-hour deadlines and each body's share of the time are counted on it.
    work_starts = models.TimeField("начало рабочего дня", default=time(9, 0))
    work_ends = models.TimeField("конец рабочего дня", default=time(18, 0))
    lunch_starts = models.TimeField("начало перерыва", null=True, blank=True, default=time(13, 0))
    lunch_ends = models.TimeField("конец перерыва", null=True, blank=True, default=time(14, 0))

    class Meta:
        verbose_name = "ответственный получатель"
        verbose_name_plural = "ответственные получатели"
        ordering = ["region", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(work_starts__lt=models.F("work_ends")), name="agency_day_order",
                                   violation_error_message="Рабочий день должен начинаться раньше, чем кончается."),
            models.CheckConstraint(
                condition=(Q(lunch_starts__isnull=True, lunch_ends__isnull=True)
                           | Q(lunch_starts__gte=models.F("work_starts"), lunch_starts__lt=models.F("lunch_ends"),
                               lunch_ends__lte=models.F("work_ends"))),
                name="agency_lunch_inside_day",
                violation_error_message="Перерыв задаётся обоими краями и лежит внутри рабочего дня.",
            ),
        ]

    option_fields = ("short_name",)  # what __str__ shows: option lists are read without model instances

    def __str__(self) -> str:
        return self.short_name


class SectorBlock(models.Model):
    """Отраслевой блок of a centre as its founding decree lists it, with the position of its head.

    A block covers one or more sectors: the shared ones it shares with other centres (ЖКХ covers
    housing, energy and ТКО), or, for a block of its own («Правовые вопросы»), a Sector of this centre.
    One head may lead several blocks and one block may have several heads (Membership.blocks); a
    руководитель отраслевого блока sees the sectors of the blocks they lead (cur/scoping.py).
    """

    centre = models.ForeignKey(Centre, models.CASCADE, related_name="blocks", verbose_name="центр")
    number = models.CharField(
        "номер", max_length=8, blank=True,
        help_text="Номер блока в положении о центре; блоки одного руководителя могут делить номер.",
    )
    name = models.CharField("название", max_length=200)
    head_position = models.CharField(
        "руководитель (должность)", max_length=500, blank=True,
        help_text="Должности руководителей, как в положении; несколько — через «;».",
    )
    sectors = models.ManyToManyField(Sector, related_name="blocks", verbose_name="тематики")
    position = models.PositiveSmallIntegerField("порядок", default=100)

    class Meta:
        verbose_name = "отраслевой блок"
        verbose_name_plural = "отраслевые блоки"
        ordering = ["centre", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="sector_block_name_uniq",
                                    violation_error_message="У центра уже есть блок с таким названием."),
        ]

    def __str__(self) -> str:
        # Every centre has an «Образование»: the centre tells them apart in the admin's lists.
        name = f"{self.number}. {self.name}" if self.number else self.name
        return f"{self.centre}: {name}"


class Membership(models.Model):
    """What a user is in the organisation: one role in one centre, or an executor of one agency.

    The scoping layer (cur/scoping.py) reads only this to decide what a user sees.
    """

    class Role(models.TextChoices):
        CURATOR = "curator", "Куратор"
        HEAD = "head", "Руководитель центра"
        IM_POS_OFFICER = "im_pos_officer", "Ответственный за работу в «Инцидент Менеджмент» и ПОС"
        SECTOR_HEAD = "sector_head", "Руководитель отраслевого блока"
        OPERATOR = "operator", "Оператор"
        EXECUTOR = "executor", "Исполнитель"
        INTEGRATOR = "integrator", "Интегратор"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="membership")
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    centre = models.ForeignKey(
        Centre, models.PROTECT, null=True, blank=True, related_name="members", verbose_name="центр"
    )
    agency = models.ForeignKey(
        Agency, models.PROTECT, null=True, blank=True, related_name="members", verbose_name="орган"
    )
    blocks = models.ManyToManyField(
        "SectorBlock", blank=True, related_name="heads", verbose_name="отраслевые блоки",
        help_text="Только для руководителя отраслевого блока: он видит тематики своих блоков своего центра.",
    )

    class Meta:
        verbose_name = "роль пользователя"
        verbose_name_plural = "роли пользователей"
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="executor", agency__isnull=False, centre__isnull=True)
                           | (~Q(role="executor") & Q(centre__isnull=False, agency__isnull=True))),
                name="membership_role_place",
                violation_error_message="Исполнитель относится к органу, остальные роли — к центру.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.centre or self.agency})"


class CalendarDay(models.Model):
    """A non-standard day of a region's production calendar (производственный календарь).

    Ordinary days are not stored: Monday–Friday are working days of 8 hours, Saturday and Sunday
    rest. Stored are the holidays, the transferred days off, the transferred working Saturdays and
    the shortened pre-holiday days — loaded from the `holidays` package and the rule of ст. 95 ТК
    РФ, and correctable by an administrator (an emergency decree, a regional holiday).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "нерабочий праздничный день"
        DAY_OFF = "day_off", "выходной (перенос)"
        WORKING_WEEKEND = "working_weekend", "рабочий выходной (перенос)"
        SHORTENED = "shortened", "предпраздничный, сокращённый на час"

    class Source(models.TextChoices):
        LOADED = "loaded", "загружен"
        MANUAL = "manual", "исправлен вручную"

    region = models.ForeignKey("municipalities.Region", models.CASCADE, related_name="calendar_days",
                               verbose_name="регион")
    date = models.DateField("дата")
    kind = models.CharField("вид дня", max_length=16, choices=Kind.choices)
    working_hours = models.PositiveSmallIntegerField("рабочих часов", help_text="0 — нерабочий день.")
    name = models.CharField("описание", max_length=200, blank=True)
    source = models.CharField("источник", max_length=8, choices=Source.choices, default=Source.MANUAL,
                              help_text="Исправленные вручную дни не перезаписываются при загрузке.")

    class Meta:
        verbose_name = "день производственного календаря"
        verbose_name_plural = "дни производственного календаря"
        ordering = ["region", "date"]
        constraints = [
            models.UniqueConstraint(fields=["region", "date"], name="calendar_day_uniq"),
            models.CheckConstraint(condition=Q(working_hours__lte=24), name="calendar_day_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} — {self.get_kind_display()}"


class SlaPolicy(models.Model):
    """A deadline rule — data, not code (DESIGN.md §5). The most specific active row that matches an
    appeal wins: subtopic over sector, then channel, then importance, then region."""

    class Target(models.TextChoices):
        REGISTRATION = "registration", "регистрация"
        FORWARDING = "forwarding", "переадресация по компетенции"
        FIRST_RESPONSE = "first_response", "первичный ответ"
        FINAL = "final", "ответ по существу"
        FINAL_AFTER_INTERIM = "final_after_interim", "ответ после промежуточного"

    class Unit(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", "календарных дней"
        WORKING_DAYS = "working_days", "рабочих дней"
        WORKING_HOURS = "working_hours", "рабочих часов"

    target = models.CharField("срок чего", max_length=24, choices=Target.choices)
    kind = models.CharField("вид обращения", max_length=16, choices=Kind.choices)
    channel = models.CharField("канал", max_length=16, blank=True, choices=Channel.choices, help_text="Пусто — любой.")
    region = models.ForeignKey("municipalities.Region", models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name="регион", help_text="Пусто — все регионы.")
    sector = models.ForeignKey(Sector, models.CASCADE, null=True, blank=True, related_name="sla_policies",
                               verbose_name="тематика")
    subtopic = models.ForeignKey(Subtopic, models.CASCADE, null=True, blank=True, related_name="sla_policies",
                                 verbose_name="подтема")
    importance = models.CharField("важность", max_length=8, blank=True, choices=Importance.choices,
                                  help_text="Пусто — любая.")
    unit = models.CharField("единица", max_length=16, choices=Unit.choices)
    amount = models.PositiveSmallIntegerField("срок")
    warn_at_percent = models.PositiveSmallIntegerField("предупреждать при, % срока", default=75)
    is_active = models.BooleanField("действует", default=True)
    note = models.CharField("основание", max_length=300, blank=True)

    class Meta:
        verbose_name = "правило срока (SLA)"
        verbose_name_plural = "правила сроков (SLA)"
        ordering = ["kind", "target", "subtopic", "sector"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sla_amount_positive"),
            models.CheckConstraint(condition=Q(warn_at_percent__gt=0, warn_at_percent__lt=100),
                                   name="sla_warn_percent"),
        ]

    def __str__(self) -> str:
        scope = self.subtopic or self.sector or "все"
        what = f"{self.get_kind_display()}, {self.get_target_display()} ({scope})"
        return f"{what}: {self.amount} {self.get_unit_display()}"

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        return (bool(self.subtopic_id) * 2 + bool(self.sector_id), bool(self.channel), bool(self.importance),
                bool(self.region_id))


class FastTrack(models.Model):
    """Механизм ускоренного решения (decree 530): a pre-agreed route and a short deadline for a typical problem.

    An appeal of one of its subtopics on its territory is marked on intake (structuring) or when an operator
    corrects its topic: the rule's body is proposed as the executor, and its answer is due within
    `deadline_days` calendar days of registration — or by the ordinary rule, whichever comes first
    (appeals/lifecycle/deadlines.py). Its figures — the share of appeals it handles, on time, repeated after
    closure — are on the dashboard, in the ratings and in the weekly note (reports/fasttrack)."""

    MAX_DAYS = 30  # «в течение 30 календарных дней» (decree 530, п. 1.3)

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    name = models.CharField("типовая проблема", max_length=200)
    subtopics = models.ManyToManyField(Subtopic, related_name="fast_tracks", verbose_name="подтемы")
    municipality = models.ForeignKey(
        "municipalities.Municipality", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="территория", help_text="Пусто — весь регион.",
    )
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="fast_tracks", verbose_name="кто решает")
    action = models.TextField("стандартное действие", help_text="Что делает орган, например «ямочный ремонт "
                              "картами до 5 м² в течение 10 дней».")
    deadline_days = models.PositiveSmallIntegerField(
        "срок, календарных дней", default=10,
        help_text=f"Не больше {MAX_DAYS}; срок ответа — этот или обычный по правилам сроков, какой раньше.",
    )
    answer_template = models.TextField("шаблон ответа", blank=True,
                                       help_text="Подставляется исполнителю в форму ответа; правится перед отправкой.")
    evidence_required = models.BooleanField("нужен фотоотчёт / акт", default=True)
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField("введён", auto_now_add=True)

    class Meta:
        verbose_name = "механизм ускоренного решения"
        verbose_name_plural = "механизмы ускоренного решения"
        ordering = ["region", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline_days__gte=1, deadline_days__lte=30),
                                   name="fast_track_deadline_1_30",
                                   violation_error_message="Срок ускоренного решения — от 1 до 30 календарных дней."),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.deadline_days} дн.)"


class StaffNotification(models.Model):
    """A message to a person of a centre or a body inside the product (the bell in the heading), and by
    e-mail where one is configured: a conflict situation found on their territory, for instance."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_notifications",
                                  verbose_name="кому")
    title = models.CharField("о чём", max_length=300)
    url = models.CharField("ссылка", max_length=300, blank=True)
    created_at = models.DateTimeField("создано")
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    emailed_at = models.DateTimeField("отправлено письмом", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление сотрудника"
        verbose_name_plural = "уведомления сотрудников"
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="staffnotice_recipient")]

    def __str__(self) -> str:
        return self.title


class ApiClient(models.Model):
    """Клиент интеграции: a system of an organisation — the city's portal, a utility's dispatch, a regional BI,
    a civic Open311 app — working through the REST API, Open311 and webhooks without a person at the keyboard.

    It acts as its own user (`user`, no password, made by cur/api_clients.py), whose Membership gives the
    client's role and organisation (a centre, or an agency for an executor's system): the scoping layer and the
    rights treat it exactly like a person of that role, and every event it writes names it (`actor`)."""

    name = models.CharField("название", max_length=200, unique=True,
                            help_text="Как клиент будет назван в событиях обращений, например «Портал г. о. Самара».")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.PROTECT, related_name="api_client",
                                verbose_name="учётная запись")
    contact = models.CharField("контакт ответственного", max_length=300, blank=True)
    rate = models.CharField("лимит запросов", max_length=32, blank=True,
                            help_text="Например «600/minute»; пусто — общий лимит CUR_API_RATE.")
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)

    class Meta:
        verbose_name = "клиент интеграции"
        verbose_name_plural = "клиенты интеграции"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A secret a client sends as `Authorization: Bearer <token>` (or Open311's `api_key`). Only its SHA-256
    is kept: the token is shown once, when issued; `prefix` tells tokens apart in the admin and in logs."""

    client = models.ForeignKey(ApiClient, models.CASCADE, related_name="tokens", verbose_name="клиент")
    prefix = models.CharField("начало токена", max_length=16, editable=False)
    key_hash = models.CharField("SHA-256 токена", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("выпущен")
    expires_at = models.DateTimeField("действует до", null=True, blank=True, help_text="Пусто — бессрочно.")
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField("с адреса", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"


class IdempotencyKey(models.Model):
    """A POST that creates something, sent with `Idempotency-Key`: its answer kept for a day, so a repeat
    (a timeout, a retry) gets the same answer instead of a second object (api/idempotency.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField("ключ", max_length=128)
    fingerprint = models.CharField("метод, адрес и SHA-256 тела", max_length=400)
    status_code = models.PositiveSmallIntegerField("код ответа", null=True)  # null: the first one still running
    body = models.JSONField("ответ", null=True)
    created_at = models.DateTimeField("когда")

    class Meta:
        verbose_name = "ключ идемпотентности"
        verbose_name_plural = "ключи идемпотентности"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]
