"""Appeals and everything that happens to them (DESIGN.md §2, §3).

Every change of an appeal is an AppealEvent, written by a service in the same transaction;
ratings, SLA figures and reports are computed from events, so they can be recomputed and audited.
Every table carries `region` so that it can be distributed by region later (DESIGN.md §11).
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import BigIntegerField, F, Func, Q, TextField, Value
from django.db.models.functions import Cast, Lower, Now
from django.urls import reverse
from django.utils import timezone

from cur.vocabulary import Channel, Importance, Kind  # noqa: F401 — the words of appeals, shared with cur

# pg_current_xact_id() as a number (xid8 → text → bigint): the writing transaction's id.
TRANSACTION_ID = Cast(Cast(Func(function="pg_current_xact_id", output_field=TextField()), TextField()),
                      BigIntegerField())


class Status(models.TextChoices):
    NEW = "new", "Новое"
    REGISTERED = "registered", "Зарегистрировано"
    IN_PROGRESS = "in_progress", "В работе"
    AWAITING_CLARIFICATION = "awaiting_clarification", "Ждёт уточнения"
    INTERIM_ANSWERED = "interim_answered", "Промежуточный ответ"
    ANSWERED = "answered", "Ответ на проверке"
    RETURNED_FOR_REWORK = "returned_for_rework", "Возвращено на доработку"
    CLOSED = "closed", "Закрыто"
    LEFT_WITHOUT_ANSWER = "left_without_answer", "Оставлено без ответа (ст. 11)"


OPEN_STATUSES = [
    Status.NEW, Status.REGISTERED, Status.IN_PROGRESS, Status.AWAITING_CLARIFICATION,
    Status.INTERIM_ANSWERED, Status.ANSWERED, Status.RETURNED_FOR_REWORK,
]
# The deadline runs only while the body owes an answer: not while the citizen is asked for details,
# not while a given answer waits for the ЦУР/МЦУ review.
CLOCK_RUNNING_STATUSES = [
    Status.NEW, Status.REGISTERED, Status.IN_PROGRESS, Status.INTERIM_ANSWERED, Status.RETURNED_FOR_REWORK,
]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "Удовлетворён"
    NOT_SATISFIED = "not_satisfied", "Не удовлетворён"


class Problem(models.Model):
    """Проблема: a cluster of appeals about one thing in one place, across channels.
    Each appeal in it keeps its own answer obligation."""

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    title = models.CharField("суть проблемы", max_length=300)
    subtopic = models.ForeignKey(
        "cur.Subtopic", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="подтема"
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="МО"
    )
    settlement = models.ForeignKey(
        "municipalities.Settlement", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="нас. пункт"
    )
    address = models.CharField("адрес", max_length=300, blank=True)
    created_at = models.DateTimeField("выявлена", auto_now_add=True)
    resolved_at = models.DateTimeField("решена", null=True, blank=True)

    class Meta:
        verbose_name = "проблема"
        verbose_name_plural = "проблемы"

    def __str__(self) -> str:
        return self.title


class AppealQuerySet(models.QuerySet):
    def locked(self, *, skip_locked: bool = False):
        """These appeals under a row lock, to be written, taken in id order (two writers of overlapping sets
        never wait for each other in a circle). FOR NO KEY UPDATE, not FOR UPDATE: it excludes every other
        writer of the appeal all the same, but does not conflict with the foreign-key checks of the rows other
        transactions insert for it (events, answers, search documents, attachments) — with FOR UPDATE, the
        search indexer committing documents of appeals the structuring had locked deadlocked with it."""
        return self.select_for_update(of=("self",), no_key=True, skip_locked=skip_locked).order_by("pk")


class Appeal(models.Model):
    """Обращение, сообщение или инцидент: one item from one channel, with its structure,
    territory, responsible body and deadlines. Status changes only through appeals.services."""

    objects = AppealQuerySet.as_manager()

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    channel = models.CharField("канал", max_length=16, choices=Channel.choices)
    external_id = models.CharField("внешний номер", max_length=64, null=True, blank=True)
    status = models.CharField("статус", max_length=32, choices=Status.choices, default=Status.NEW)
    importance = models.CharField("важность", max_length=8, choices=Importance.choices, default=Importance.NORMAL)

    title = models.CharField("заголовок", max_length=300, blank=True)
    text = models.TextField("текст")
    source_url = models.URLField("ссылка на публикацию", max_length=500, blank=True)

    # Personal data (152-ФЗ): shown only to roles that need it, masked elsewhere (cur/scoping.py).
    citizen_name = models.CharField("заявитель", max_length=300, blank=True)
    citizen_email = models.CharField("эл. почта заявителя", max_length=254, blank=True)
    citizen_phone = models.CharField("телефон заявителя", max_length=32, blank=True)
    citizen_address = models.CharField("почтовый адрес заявителя", max_length=300, blank=True)

    # Structure: filled by the structuring pipeline, confirmed or corrected by an operator.
    sector = models.ForeignKey("cur.Sector", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="тематика", db_index=False)
    subtopic = models.ForeignKey("cur.Subtopic", models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="подтема", db_index=False)
    structuring_confidence = models.FloatField("уверенность структурирования", null=True, blank=True)
    structured_at = models.DateTimeField("структурировано", null=True, blank=True)
    structuring_model = models.CharField("версия модели структурирования", max_length=40, blank=True, db_default="")
    # 59-ФЗ ст. 11 signs found by the pipeline (no name or address, obscene or threatening, unreadable);
    # a hint for the operator, never a decision.
    legal_flags = ArrayField(models.CharField(max_length=32), verbose_name="признаки ст. 11", default=list,
                             db_default=Value([], output_field=ArrayField(models.CharField(max_length=32))),
                             blank=True)
    proposed_agency = models.ForeignKey(
        "cur.Agency", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False,
        verbose_name="предложенный исполнитель", help_text="Предложение маршрутизации: территория × подтема.",
    )
    # the fast-track mechanism this appeal is handled by (its body proposed, its shorter deadline)
    fast_track = models.ForeignKey("cur.FastTrack", models.SET_NULL, null=True, blank=True, related_name="+",
                                   db_index=False, verbose_name="ускоренное решение")
    municipality = models.ForeignKey("municipalities.Municipality", models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="МО", db_index=False)
    settlement = models.ForeignKey("municipalities.Settlement", models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="населённый пункт")
    address = models.CharField("адрес проблемы", max_length=300, blank=True)
    agency = models.ForeignKey("cur.Agency", models.PROTECT, null=True, blank=True, related_name="appeals",
                               verbose_name="ответственный получатель", db_index=False)
    problem = models.ForeignKey(Problem, models.SET_NULL, null=True, blank=True, related_name="appeals",
                                verbose_name="проблема")

    # Time line and deadlines (UTC in the database; shown in the region's zone).
    received_at = models.DateTimeField("поступило")
    registered_at = models.DateTimeField("зарегистрировано", null=True, blank=True)
    # 59-ФЗ: registered within 3 days of receipt; forwarded to the competent body within 7 days of registration.
    registration_due_at = models.DateTimeField("срок регистрации", null=True, blank=True)
    forwarding_due_at = models.DateTimeField("срок переадресации", null=True, blank=True)
    first_response_due_at = models.DateTimeField("срок первичного ответа", null=True, blank=True)
    first_response_at = models.DateTimeField("первичный ответ", null=True, blank=True)
    due_at = models.DateTimeField("срок ответа", null=True, blank=True)
    answered_at = models.DateTimeField("дан ответ", null=True, blank=True)
    closed_at = models.DateTimeField("закрыто", null=True, blank=True)
    warn_at = models.DateTimeField("предупредить о сроке", null=True, blank=True)
    is_overdue = models.BooleanField("просрочено", default=False)
    is_due_soon = models.BooleanField("срок на исходе", default=False, db_default=False)
    paused_at = models.DateTimeField("часы остановлены", null=True, blank=True,
                                     help_text="Ждём уточнения от гражданина: срок не идёт.")
    extensions = models.PositiveSmallIntegerField("продлений", default=0)
    complained_agency = models.ForeignKey(
        "cur.Agency", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False,
        verbose_name="жалоба на действия органа",
        help_text="59-ФЗ ст. 8 ч. 6: жалоба не направляется в орган, действия которого обжалуются.",
    )
    satisfaction = models.CharField("оценка гражданина", max_length=16, choices=Satisfaction.choices, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock: services update `WHERE version = seen`, so concurrent edits never lose one.
    version = models.PositiveIntegerField(default=1)
    # The source's own version of the item (ПОС, ИМ, files): an update older than what we hold is
    # ignored, so updates arriving out of order never overwrite a newer one (appeals/intake.py).
    source_version = models.BigIntegerField("версия у источника", null=True, blank=True)

    class Meta:
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "channel", "external_id"], condition=Q(external_id__isnull=False),
                name="appeal_channel_external_id_uniq",
            ),
        ]
        # The queue sorts by deadline inside a filter: each filter column leads an index ending
        # with (due_at, id), so a page is an index range scan, never a sort of the whole region.
        indexes = [
            models.Index(fields=["region", "status", "due_at", "id"], name="appeal_region_queue"),
            # the whole region by nearest deadline, other filters checked along the index
            models.Index(fields=["region", "due_at", "id"], name="appeal_region_deadline"),
            # the working queue: open appeals of the region by nearest deadline, closed ones not in the way
            models.Index(fields=["region", "due_at", "id"], condition=Q(status__in=OPEN_STATUSES),
                         name="appeal_open_deadline"),
            models.Index(fields=["municipality", "status", "due_at", "id"], name="appeal_municipality_queue"),
            # a МЦУ's queue in either order is a range of its own municipality, filters checked along it
            models.Index(fields=["municipality", "due_at", "id"], name="appeal_municipality_deadline"),
            models.Index(fields=["municipality", "id"], name="appeal_municipality_new"),
            # a body's appeals (the executor's inbox, the agency filter) in either order
            models.Index(fields=["agency", "due_at", "id"], name="appeal_agency_deadline"),
            models.Index(fields=["agency", "id"], name="appeal_agency_new"),
            models.Index(fields=["sector", "due_at", "id"], name="appeal_sector_queue"),
            models.Index(fields=["subtopic", "due_at", "id"], name="appeal_subtopic_queue"),
            models.Index(fields=["region", "received_at"], name="appeal_region_received"),
            # neighbours of a new appeal for Problems and the card's similar appeals: same subtopic, same
            # place, nearby in time — covering what both read, so the candidates never touch the table
            models.Index(fields=["subtopic", "municipality", "received_at"], include=["id", "region", "settlement"],
                         name="appeal_problem_neighbours"),
            models.Index(fields=["region", "due_at"], condition=Q(is_overdue=True), name="appeal_overdue"),
            models.Index(fields=["region", "id"], condition=Q(is_overdue=True), name="appeal_overdue_new"),
            # the queue's «ускоренное решение» filter: a few in a hundred, by nearest deadline
            models.Index(fields=["region", "due_at", "id"], condition=Q(fast_track__isnull=False),
                         name="appeal_fast_track"),
            # a repeat complaint: the same subtopic and address as an appeal closed lately (heatmap/conflicts)
            models.Index(F("subtopic"), Lower("address"), F("closed_at"), condition=~Q(address=""),
                         name="appeal_subtopic_address"),
            # the executor's inbox counts its body's open appeals by status (appeals/workspace/inbox.py)
            models.Index(fields=["agency", "status"], include=["is_overdue"], condition=Q(status__in=OPEN_STATUSES),
                         name="appeal_agency_open_status"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}"

    @property
    def number(self) -> str:
        """Our registration number, shown to people and searched for."""
        return f"{self.pk:07d}" if self.pk else "—"

    @property
    def title_or_excerpt(self) -> str:
        if self.title:
            return self.title
        text = self.__dict__.get("excerpt") or self.text  # lists read a 121-character `excerpt` only
        return text[:120] + ("…" if len(text) > 120 else "")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def needs_evidence(self) -> bool:
        """A photo report or an act is expected with the answer: its subtopic says so, or the fast-track
        mechanism that handles it (quality.py flags an answer without one)."""
        return bool((self.subtopic_id and self.subtopic.evidence_required)
                    or (self.fast_track_id and self.fast_track.evidence_required))

    def get_absolute_url(self) -> str:
        return reverse("appeals:detail", args=[self.pk])


class AppealEvent(models.Model):
    """Every change of an appeal: who, when, from → to, why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Поступило"
        REGISTERED = "registered", "Зарегистрировано"
        ASSIGNED = "assigned", "Направлено исполнителю"
        FORWARDED = "forwarded", "Переадресовано"
        CLARIFICATION_REQUESTED = "clarification_requested", "Запрошено уточнение"
        CLARIFICATION_RECEIVED = "clarification_received", "Получено уточнение"
        EXTENDED = "extended", "Срок продлён"
        INTERIM_ANSWERED = "interim_answered", "Промежуточный ответ"
        ANSWERED = "answered", "Дан ответ"
        RETURNED_FOR_REWORK = "returned_for_rework", "Возвращено на доработку"
        CLOSED = "closed", "Закрыто"
        LEFT_WITHOUT_ANSWER = "left_without_answer", "Оставлено без ответа"
        REOPENED = "reopened", "Повторное рассмотрение"
        RATED = "rated", "Оценка гражданина"
        FIELD_CHANGED = "field_changed", "Исправлено поле"
        SOURCE_UPDATED = "source_updated", "Обновлено источником"
        OVERDUE = "overdue", "Срок нарушен"
        ATTACHED = "attached", "Приложены файлы"
        ATTACHMENT_FAILED = "attachment_failed", "Файл источника не получен"
        # the answer's way back to ПОС / ИМ (appeals/sources/replies.py) and the rating it brought (intake/feedback.py)
        REPLY_FAILED = "reply_failed", "Ответ не передан в источник"
        RATING_NOT_APPLIED = "rating_not_applied", "Оценка из источника не учтена"

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="events", verbose_name="обращение", db_index=False)
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField("когда")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name="кто")
    agency = models.ForeignKey("cur.Agency", models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name="орган", db_index=False)
    kind = models.CharField("событие", max_length=32, choices=Kind.choices)
    field = models.CharField("поле", max_length=64, blank=True)
    old_value = models.TextField("было", blank=True)
    new_value = models.TextField("стало", blank=True)
    reason = models.TextField("причина", blank=True)
    # The id of the transaction that wrote the event, filled by PostgreSQL on every path (services, the
    # sweeps' SQL, COPY): the rollups' watermark (rollups/services.py) — every transaction below the
    # oldest one still running has finished, so nothing committed late is ever skipped.
    xact = models.BigIntegerField("транзакция", null=True, blank=True, editable=False, db_default=TRANSACTION_ID)

    class Meta:
        verbose_name = "событие обращения"
        verbose_name_plural = "события обращений"
        indexes = [
            models.Index(fields=["appeal", "at"], name="event_appeal_at"),
            models.Index(fields=["region", "kind", "at"], name="event_region_kind_at"),
            # the id grows with the table's physical order: a block-range index is tiny and finds the newest
            BrinIndex(fields=["xact"], name="event_xact_brin", pages_per_range=32),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    """Ответ исполнителя: interim or final; the ЦУР/МЦУ accepts it or returns it for rework."""

    class Review(models.TextChoices):
        PENDING = "pending", "На проверке"
        ACCEPTED = "accepted", "Принят"
        RETURNED = "returned", "Возвращён на доработку"

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="answers", verbose_name="обращение")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey("cur.Agency", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="орган", db_index=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name="автор")
    is_interim = models.BooleanField("промежуточный", default=False)
    text = models.TextField("текст ответа")
    has_evidence = models.BooleanField("приложены фото / акт", default=False)
    flags = ArrayField(models.CharField(max_length=32), verbose_name="признаки формального ответа",
                       default=list, db_default=Value([], output_field=ArrayField(models.CharField(max_length=32))),
                       blank=True)
    review = models.CharField("проверка", max_length=16, choices=Review.choices, default=Review.PENDING)
    created_at = models.DateTimeField("дан")

    class Meta:
        verbose_name = "ответ"
        verbose_name_plural = "ответы"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return ("Промежуточный ответ" if self.is_interim else "Ответ") + f" {self.created_at:%d.%m.%Y}"

    @property
    def flag_labels(self) -> list[str]:
        from appeals.lifecycle.quality import FLAG_LABELS

        return [FLAG_LABELS.get(flag, flag) for flag in self.flags]


def attachment_path(instance, filename: str) -> str:
    """A random name under the appeal's region and month: the stored name tells nothing and cannot be
    guessed; files are served only through the scoped view (appeals/attachments/views.py)."""
    suffix = PurePath(filename).suffix.lower()
    return f"attachments/{instance.region_id}/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """Вложение: a file on an appeal (the citizen's photo, a scan) or on one of its answers (a photo report,
    an act, a PDF). Kept on the default storage (./var/media, or S3 when configured), never at a public URL."""

    class Source(models.TextChoices):
        CARD = "card", "загружено в карточке"
        POS = "pos", "из ПОС"
        IM = "im", "из Инцидент Менеджмента"
        IMPORT = "import", "из файла импорта"

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="attachments", verbose_name="обращение")
    answer = models.ForeignKey(Answer, models.CASCADE, null=True, blank=True, related_name="attachments",
                               verbose_name="ответ")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    file = models.FileField("файл", upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField("миниатюра", upload_to=attachment_path, max_length=200, blank=True)
    original_name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField("тип содержимого", max_length=100)
    size = models.PositiveBigIntegerField("размер, байт")
    sha256 = models.CharField("отпечаток SHA-256", max_length=64)
    source = models.CharField("откуда", max_length=16, choices=Source.choices, default=Source.CARD)
    # the source's own address of the file (ПОС / ИМ): a repeat of the item does not fetch it twice
    source_url = models.URLField("адрес у источника", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="загрузил")
    created_at = models.DateTimeField("загружено", default=timezone.now)

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="attachment_appeal_created"),
                   models.Index(fields=["answer"], name="attachment_answer", condition=Q(answer__isnull=False))]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Assignment(models.Model):
    """One body's turn with an appeal: from being assigned (or forwarded to) until it answered or the
    appeal was forwarded on. The citizen's deadline does not move on forwarding; ratings judge each
    body on its own share of the time, counted in working time on the body's schedule."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "дал ответ"
        FORWARDED = "forwarded", "переадресовал"
        WITHDRAWN = "withdrawn", "снято"

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="assignments", verbose_name="обращение")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey("cur.Agency", models.PROTECT, related_name="+", verbose_name="орган", db_index=False)
    started_at = models.DateTimeField("получил")
    ended_at = models.DateTimeField("завершил", null=True, blank=True)
    outcome = models.CharField("итог", max_length=16, choices=Outcome.choices, blank=True)
    working_seconds = models.PositiveIntegerField(
        "рабочее время у органа, с", null=True, blank=True,
        help_text="Только рабочее время по графику органа, без ожидания уточнения от гражданина.",
    )
    # What the ratings judge the turn by (ratings/, docs/ratings.md), fixed where the calendar is known:
    min_due_at = models.DateTimeField(
        "не раньше чем", null=True, blank=True,
        help_text="Гарантированный органу срок: получивший обращение поздно не отвечает за чужое время.",
    )
    due_at = models.DateTimeField("срок для органа", null=True, blank=True,
                                  help_text="Срок, по которому оценён завершённый этап.")
    allowed_seconds = models.PositiveIntegerField(
        "отведённое рабочее время, с", null=True, blank=True,
        help_text="Рабочее время от получения до срока органа, без ожидания уточнения.",
    )
    first_response_at = models.DateTimeField("первый ответ органа", null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField("рабочее время до первого ответа, с", null=True, blank=True)
    first_allowed_seconds = models.PositiveIntegerField(
        "отведено на первый ответ, с", null=True, blank=True,
        help_text="По правилу первичного ответа (сообщения ПОС, инциденты); у обращений 59-ФЗ его нет.",
    )

    class Meta:
        verbose_name = "этап у исполнителя"
        verbose_name_plural = "этапы у исполнителей"
        ordering = ["started_at", "pk"]
        indexes = [models.Index(fields=["agency", "started_at"], name="assignment_agency_started")]
        constraints = [
            # one body at a time holds an appeal
            models.UniqueConstraint(fields=["appeal"], condition=Q(ended_at__isnull=True),
                                    name="assignment_one_open_per_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} с {self.started_at:%d.%m.%Y}"


class Notice(models.Model):
    """Уведомление гражданину: registration, forwarding, extension, clarification, ст. 11, answer —
    what 59-ФЗ obliges us to tell the citizen, with the verdict link where an answer was given.
    Written by the lifecycle services in the same transaction, sent by a Celery task."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "О регистрации"
        FORWARDED = "forwarded", "О переадресации"
        EXTENDED = "extended", "О продлении срока"
        CLARIFICATION = "clarification", "Запрос уточнения"
        LEFT_WITHOUT_ANSWER = "left_without_answer", "Об оставлении без ответа"
        ANSWERED = "answered", "Ответ и просьба оценить"

    class Via(models.TextChoices):
        EMAIL = "email", "эл. почта"
        POST = "post", "почта (письмо)"
        SOURCE = "source", "через площадку-источник"

    class State(models.TextChoices):
        PENDING = "pending", "ждёт отправки"
        SENT = "sent", "отправлено"
        PRINTED = "printed", "передано на печать"
        FAILED = "failed", "не отправлено"

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="notices", verbose_name="обращение")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField("уведомление", max_length=32, choices=Kind.choices)
    via = models.CharField("способ", max_length=16, choices=Via.choices)
    recipient = models.CharField("кому", max_length=300, blank=True)
    subject = models.CharField("тема", max_length=300)
    text = models.TextField("текст")
    state = models.CharField("состояние", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField("создано")
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление гражданину"
        verbose_name_plural = "уведомления гражданам"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"], condition=Q(state="pending"),
                                name="notice_pending")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.appeal_id:07d}"


class SavedFilter(models.Model):
    """A queue view an operator named and keeps: the filters and order as a query string."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="saved_filters")
    name = models.CharField("название", max_length=80)
    query = models.CharField("условия", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "сохранённый фильтр"
        verbose_name_plural = "сохранённые фильтры"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_user_name_uniq")]

    def __str__(self) -> str:
        return self.name


class SourceCursor(models.Model):
    """Курсор источника: how far the platform has read a source's feed (ПОС, «Инцидент Менеджмент»).
    It moves only in the transaction that commits the batch read with it, so a worker killed
    mid-batch reads the same page again and the idempotent upsert neither loses nor doubles an item."""

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    source = models.CharField("источник", max_length=16)
    cursor = models.CharField("курсор", max_length=200, blank=True)
    polled_at = models.DateTimeField("последний опрос", null=True, blank=True)
    items_total = models.BigIntegerField("принято всего", default=0)
    last_error = models.TextField("последняя ошибка", blank=True)

    class Meta:
        verbose_name = "курсор источника"
        verbose_name_plural = "курсоры источников"
        constraints = [models.UniqueConstraint(fields=["region", "source"], name="source_cursor_uniq")]

    def __str__(self) -> str:
        return f"{self.source}: {self.cursor or '—'}"


class JobProgress:
    """Progress of a background job with `status` (… DONE, FAILED), `total` and the count named by
    `done_field`: the per cent shown by its progress bar (100 once finished)."""

    done_field: str

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress(self) -> int:
        if self.is_finished:
            return 100
        return min(100, getattr(self, self.done_field) * 100 // self.total) if self.total else 0


class ImportJob(JobProgress, models.Model):
    """Импорт файла (CSV, XLSX в нейтральном формате, docs/integrations.md): run by a Celery task,
    with its progress and the final report (received / created / updated / quarantined)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "идёт"
        DONE = "done", "завершён"
        FAILED = "failed", "не выполнен"

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    municipality = models.ForeignKey(
        "municipalities.Municipality", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="МО загрузившего", help_text="Для МЦУ: строки без МО относятся к нему, чужие МО — в карантин.",
    )
    file = models.FileField("файл", upload_to="imports/%Y/%m/")
    original_name = models.CharField("имя файла", max_length=255)
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.QUEUED)
    encoding = models.CharField("кодировка", max_length=32, blank=True)
    total = models.PositiveIntegerField("строк в файле", default=0)
    received = models.PositiveIntegerField("получено", default=0)
    created = models.PositiveIntegerField("создано", default=0)
    updated = models.PositiveIntegerField("обновлено", default=0)
    unchanged = models.PositiveIntegerField("без изменений", default=0)
    quarantined = models.PositiveIntegerField("в карантине", default=0)
    error = models.TextField("ошибка", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="загрузил")
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    heartbeat_at = models.DateTimeField("последний признак жизни", null=True, blank=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta:
        verbose_name = "импорт файла"
        verbose_name_plural = "импорты файлов"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "created_at"], name="import_job_region_created")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    done_field = "received"  # JobProgress: the rows processed so far


class ExportJob(JobProgress, models.Model):
    """Выгрузка: a large selection of the queue written to CSV or XLSX by a Celery task, with progress and
    a download link for its owner only (appeals/workspace/exports.py)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "идёт"
        DONE = "done", "готова"
        FAILED = "failed", "не выполнена"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="кто выгружает")
    format = models.CharField("формат", max_length=8, choices=Format.choices)
    query = models.CharField("условия", max_length=4000, blank=True)
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("строк к выгрузке", default=0)
    written = models.PositiveIntegerField("выгружено строк", default=0)
    file = models.FileField("файл", upload_to="exports/%Y/%m/", max_length=200, blank=True)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField("заказана", auto_now_add=True)
    started_at = models.DateTimeField("начата", null=True, blank=True)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "выгрузка"
        verbose_name_plural = "выгрузки"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"], name="export_job_user_created")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.created_at:%d.%m.%Y %H:%M} ({self.get_status_display()})"

    done_field = "written"  # JobProgress: the rows written so far


class QuarantinedItem(models.Model):
    """Карантин: an incoming item that failed validation, kept raw with its reason until an operator
    fixes and resubmits it or discards it. Nothing that arrives is dropped silently."""

    class Source(models.TextChoices):
        POS = "pos", "ПОС «Решаем вместе»"
        INCIDENT = "incident", "Инцидент Менеджмент"
        FILE = "file", "Файл"

    class State(models.TextChoices):
        PENDING = "pending", "ждёт решения"
        RESUBMITTED = "resubmitted", "исправлено и принято"
        DISCARDED = "discarded", "отклонено"

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    municipality = models.ForeignKey(
        "municipalities.Municipality", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="МО", help_text="Если источник его указал: по нему карантин виден МЦУ.",
    )
    source = models.CharField("источник", max_length=16, choices=Source.choices)
    external_id = models.CharField("внешний номер", max_length=200, blank=True)
    payload = models.TextField("исходные данные", help_text="Как пришло от источника (JSON или строка файла).")
    digest = models.CharField("отпечаток", max_length=64, help_text="SHA-256 исходных данных: повтор не дублируется.")
    reason = models.TextField("причина")
    import_job = models.ForeignKey(ImportJob, models.SET_NULL, null=True, blank=True, related_name="quarantined_items",
                                   verbose_name="импорт")
    state = models.CharField("состояние", max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("поступило", auto_now_add=True)
    resolved_at = models.DateTimeField("решено", null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="кто решил")
    resolution = models.TextField("решение", blank=True)
    appeal = models.ForeignKey(Appeal, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name="принято как обращение")

    class Meta:
        verbose_name = "запись в карантине"
        verbose_name_plural = "записи в карантине"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "state", "created_at"], name="quarantine_region_state")]
        constraints = [
            # the same broken item delivered again (a retried page, a duplicate) waits only once
            models.UniqueConstraint(fields=["region", "source", "digest"], condition=Q(state="pending"),
                                    name="quarantine_pending_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.external_id or '—'}"


class AppealSearch(models.Model):
    """The search document of one appeal, kept current by appeals/search_index.py (docs/search.md).

    Two vectors, so that personal data is searchable only by the roles allowed to see it (152-ФЗ):
    `document` — title (weight A), address and place (B), the text with personal data cut out (C),
    the answers (D); `personal` — the citizen's name and contacts and the personal data found in the text.
    Kept beside the appeal, not in its row: the queue's rows stay narrow and intake writes no vectors.
    """

    appeal = models.OneToOneField(Appeal, models.CASCADE, primary_key=True, related_name="search")
    document = SearchVectorField()
    personal = SearchVectorField()
    indexed_at = models.DateTimeField()

    class Meta:
        verbose_name = "поисковый документ обращения"
        verbose_name_plural = "поисковые документы обращений"
        indexes = [
            GinIndex(fields=["document"], name="appeal_search_document"),
            GinIndex(fields=["personal"], name="appeal_search_personal"),
        ]


class SearchQueue(models.Model):
    """Appeals whose search document is stale: filled by database triggers on every path that changes
    what is searched (intake, services, admin, SQL), drained in batches by appeals/search_index.py."""

    appeal_id = models.BigIntegerField(primary_key=True)
    queued_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = "обращение в очереди поиска"
        verbose_name_plural = "обращения в очереди поиска"


class SearchWord(models.Model):
    """The words (stems) of all search documents with about how many documents hold each: a misspelt or
    partial query word is matched to the similar, more frequent words here by trigrams (pg_trgm)."""

    word = models.CharField(max_length=64, primary_key=True)
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "слово поискового словаря"
        verbose_name_plural = "слова поискового словаря"
        indexes = [GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_word_trigrams")]


class SourceReply(models.Model):
    """Ответ в источник: an answer to a ПОС or «Инцидент Менеджмент» item on its way back to where the citizen
    wrote (the outbox, appeals/sources/replies.py). Written in the transaction that gives the answer, so none is
    lost; sent by a task that claims it, with retries; the source deduplicates by `key` (our answer's id), so a
    worker killed after sending and before recording sends again harmlessly and the citizen reads it once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Ждёт отправки"
        SENT = "sent", "Отправлен"
        FAILED = "failed", "Не отправлен"

    answer = models.OneToOneField(Answer, models.CASCADE, related_name="source_reply", verbose_name="ответ")
    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="source_replies", verbose_name="обращение",
                               db_index=False)
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    channel = models.CharField("источник", max_length=16, choices=Channel.choices)
    external_id = models.CharField("номер в источнике", max_length=64)
    key = models.CharField("ключ для источника", max_length=64, unique=True)
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("попыток", default=0)
    next_attempt_at = models.DateTimeField("следующая попытка", null=True, blank=True)
    claimed_until = models.DateTimeField("отправляется до", null=True, blank=True, editable=False)
    sent_at = models.DateTimeField("отправлен", null=True, blank=True)
    remote_id = models.CharField("номер ответа в источнике", max_length=100, blank=True)
    last_error = models.TextField("последняя ошибка", blank=True)
    created_at = models.DateTimeField("создан")
    # What the source's feed said back about this answer (appeals/intake/feedback.py): the item's state there and
    # the citizen's rating, kept with its moment so that a rating is handled once however often the feed repeats it.
    remote_status = models.CharField("состояние в источнике", max_length=32, blank=True)
    rating = models.CharField("оценка в источнике", max_length=16, choices=Satisfaction.choices, blank=True)
    rated_at = models.DateTimeField("оценено в источнике", null=True, blank=True)
    rating_note = models.TextField("почему оценка не учтена", blank=True)

    class Meta:
        verbose_name = "ответ в источник"
        verbose_name_plural = "ответы в источники"
        indexes = [models.Index(fields=["next_attempt_at"], name="source_reply_pending",
                                condition=Q(status="pending")),
                   # the feed's ratings find the replies of a page's items by their appeals
                   models.Index(fields=["appeal", "created_at"], name="source_reply_appeal")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.external_id}: {self.get_status_display()}"


class WebhookSubscription(models.Model):
    """Подписка на события: an integration client's address that receives signed POSTs when appeals in the
    client's scope change (appeals/webhooks/). The secret signs the bodies (HMAC-SHA256); a subscription that
    keeps failing is switched off, with a notice, and switched on again in the admin."""

    class Event(models.TextChoices):
        CREATED = "appeal.created", "Поступило обращение"
        ASSIGNED = "appeal.assigned", "Направлено исполнителю"
        ANSWERED = "appeal.answered", "Дан ответ"
        CLOSED = "appeal.closed", "Закрыто"
        REOPENED = "appeal.reopened", "Возобновлено"
        OVERDUE = "appeal.overdue", "Срок нарушен"

    client = models.ForeignKey("cur.ApiClient", models.CASCADE, related_name="webhooks", verbose_name="клиент")
    url = models.URLField("адрес", max_length=500)
    secret = models.CharField("секрет подписи", max_length=128)
    events = ArrayField(models.CharField(max_length=32, choices=Event.choices), verbose_name="события")
    is_active = models.BooleanField("действует", default=True)
    failures = models.PositiveIntegerField("неудач подряд", default=0)
    disabled_at = models.DateTimeField("отключена", null=True, blank=True)
    disabled_reason = models.TextField("причина отключения", blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    # The database's snapshot when the subscription was made («xmin:xmax:xip,…|own xid»): the dispatcher sends
    # it only the events of transactions that had not committed by then, so a subscription made while a long
    # transaction holds the event log's horizon back gets no history (appeals/webhooks/dispatch.py).
    since_snapshot = models.TextField("события после снимка", blank=True, default="", editable=False)

    class Meta:
        verbose_name = "подписка на события"
        verbose_name_plural = "подписки на события"

    def __str__(self) -> str:
        return f"{self.client}: {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscriber: its body (kept as sent, so every retry signs the same bytes), its id for
    the receiver's deduplication (`delivery_id`), and the fate of each attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Ждёт доставки"
        DELIVERED = "delivered", "Доставлено"
        FAILED = "failed", "Не доставлено"

    subscription = models.ForeignKey(WebhookSubscription, models.CASCADE, related_name="deliveries",
                                     verbose_name="подписка", db_index=False)
    appeal_event = models.ForeignKey(AppealEvent, models.CASCADE, related_name="+", verbose_name="событие обращения",
                                     db_index=False)
    # the receivers' deduplication key, sent as X-Cur-Event-Id and in the body: the same on every retry
    delivery_id = models.UUIDField("номер события для получателя", default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField("вид", max_length=32, choices=WebhookSubscription.Event.choices)
    body = models.TextField("тело")
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("попыток", default=0)
    next_attempt_at = models.DateTimeField("следующая попытка", null=True, blank=True)
    claimed_until = models.DateTimeField("доставляется до", null=True, blank=True, editable=False)
    last_status = models.PositiveSmallIntegerField("последний код ответа", null=True, blank=True)
    last_error = models.TextField("последняя ошибка", blank=True)
    created_at = models.DateTimeField("создано")
    delivered_at = models.DateTimeField("доставлено", null=True, blank=True)

    class Meta:
        verbose_name = "доставка события"
        verbose_name_plural = "доставки событий"
        constraints = [models.UniqueConstraint(fields=["subscription", "appeal_event"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_pending", condition=Q(status="pending")),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription.url}"


class EventReader(models.Model):
    """How far a reader of the event log (the webhook dispatcher) has read it: a transaction id, as the rollups
    keep theirs — every transaction below the oldest still running has finished, so nothing is skipped."""

    name = models.CharField("читатель", max_length=32, unique=True)
    xact = models.BigIntegerField("прочитано до транзакции", default=0)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)

    class Meta:
        verbose_name = "читатель событий"
        verbose_name_plural = "читатели событий"

    def __str__(self) -> str:
        return self.name
