"""The status machine of appeals: one service per action an operator or an executor takes.

Every service locks the appeal row (`Appeal.objects.locked()`: `SELECT … FOR NO KEY UPDATE`), optionally
checks the version the user saw (a stale page cannot overwrite a newer change), checks that the action is
allowed from the current status and for the appeal's kind, changes the appeal, bumps its version and writes
an AppealEvent (who, when, from → to, why) — all in one transaction. A refused action raises
TransitionRefused with a message for the user and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from appeals.attachments.services import attachments_add
from appeals.attachments.validation import AttachmentRefused, check_files
from appeals.citizen.notices import NoticeKind, notice_create
from appeals.lifecycle import deadlines
from appeals.lifecycle.assignments import assignment_close, assignment_first_response, assignment_open
from appeals.lifecycle.quality import answer_flags
from appeals.models import Answer, Appeal, AppealEvent, Assignment, Kind, Satisfaction, Status
from appeals.sources.replies import source_reply_enqueue
from cur.models import Agency, FastTrack
from cur.permissions import require, sectors_outside_block
from cur.selectors import fast_track_choose, fast_track_rules
from structuring.services import example_remember

Target = deadlines.Target
ALL_KINDS = frozenset(Kind.values)


class TransitionRefused(ValidationError):
    """An action that the appeal's status, kind or the law does not allow; nothing was changed."""


class StaleVersion(TransitionRefused):
    """Someone changed the appeal since the user saw it (optimistic lock); nothing was changed."""


@dataclass(frozen=True)
class Action:
    label: str
    sources: frozenset[str]
    kinds: frozenset[str] = ALL_KINDS
    # What the user reads once it is done — the result, not the command; {agency} and {due} are the
    # appeal's as the action left it (action_done).
    done: str = ""


WORKING = frozenset({Status.REGISTERED, Status.IN_PROGRESS, Status.RETURNED_FOR_REWORK, Status.INTERIM_ANSWERED})
ACTIONS = {
    "register": Action("зарегистрировать", frozenset({Status.NEW}),
                       done="Обращение зарегистрировано, срок ответа — до {due}"),
    "assign": Action("направить исполнителю", frozenset({Status.REGISTERED, Status.IN_PROGRESS}),
                     done="Направлено: {agency}"),
    "forward": Action("переадресовать", WORKING - {Status.REGISTERED}, done="Переадресовано: {agency}"),
    "request_clarification": Action("запросить уточнение", WORKING, done="Уточнение запрошено у заявителя"),
    "receive_clarification": Action("принять уточнение", frozenset({Status.AWAITING_CLARIFICATION}),
                                    done="Уточнение принято, обращение снова в работе"),
    "extend": Action("продлить срок", WORKING | {Status.AWAITING_CLARIFICATION}, frozenset({Kind.APPEAL}),
                     done="Срок продлён до {due}"),
    "leave_without_answer": Action(
        "оставить без ответа", frozenset({Status.NEW, Status.REGISTERED, Status.IN_PROGRESS}), frozenset({Kind.APPEAL}),
        done="Обращение оставлено без ответа, заявителю подготовлено уведомление",
    ),
    "answer_interim": Action("дать промежуточный ответ", frozenset({Status.IN_PROGRESS}),
                             done="Промежуточный ответ записан"),
    "answer_final": Action("дать ответ", frozenset({Status.IN_PROGRESS, Status.INTERIM_ANSWERED,
                                                   Status.RETURNED_FOR_REWORK}),
                           done="Ответ отправлен на проверку"),
    "return_for_rework": Action("вернуть на доработку", frozenset({Status.ANSWERED}),
                                done="Возвращено на доработку: {agency}"),
    "close": Action("закрыть", frozenset({Status.ANSWERED}), done="Ответ принят, обращение закрыто"),
    "reopen": Action("возобновить", frozenset({Status.CLOSED}),
                     done="Обращение возобновлено, новый срок ответа — до {due}"),
    "rate": Action("принять оценку гражданина", frozenset({Status.CLOSED}), done="Оценка гражданина принята"),
}


def action_done(action: str, appeal: Appeal) -> str:
    """The result of `action` in words, for the message the user reads after it (`appeal` as it is after)."""
    text = ACTIONS[action].done
    if appeal.due_at is None and "{due}" in text and ", " in text.partition("{due}")[0]:
        text = text.partition("{due}")[0].rpartition(", ")[0]  # no deadline (no rule for it): say no date
    due = f"{timezone.localtime(appeal.due_at):%d.%m.%Y}" if appeal.due_at else "—"
    return text.format(agency=appeal.agency or "—", due=due)

# 59-ФЗ ст. 11: grounds to leave an appeal without an answer, each with its notice to the citizen.
ST11_GROUNDS = {
    "no_name_or_address": (
        "Не указаны фамилия или почтовый адрес (ч. 1 ст. 11)",
        "Ответ на обращение не дается, поскольку в нём не указаны фамилия гражданина или почтовый адрес, "
        "по которому должен быть направлен ответ.",
    ),
    "obscene_or_threatening": (
        "Нецензурные либо оскорбительные выражения, угрозы (ч. 3 ст. 11)",
        "Обращение оставлено без ответа по существу поставленных в нём вопросов в связи с недопустимостью "
        "злоупотребления правом; гражданину разъяснено недопустимость такого злоупотребления.",
    ),
    "unreadable": (
        "Текст не поддаётся прочтению (ч. 4 ст. 11)",
        "Ответ на обращение не дается, поскольку его текст не поддаётся прочтению; обращение не направлялось "
        "на рассмотрение в другие органы.",
    ),
    "substance_unclear": (
        "Невозможно определить суть обращения (ч. 4.1 ст. 11)",
        "Ответ на обращение не дается, поскольку из текста невозможно установить суть предложения, "
        "заявления или жалобы.",
    ),
    "repeated_question": (
        "Повторный вопрос, на который давались ответы (ч. 5 ст. 11)",
        "Переписка с гражданином по данному вопросу прекращена: на неоднократные обращения ему давались "
        "письменные ответы по существу, новых доводов не приведено.",
    ),
    "court_decision": (
        "Обжалуется судебное решение (ч. 2 ст. 11)",
        "Обращение, в котором обжалуется судебное решение, возвращено гражданину с разъяснением порядка "
        "обжалования данного судебного решения.",
    ),
    "answer_published": (
        "Ответ размещён на официальном сайте (ч. 4 ст. 10)",
        "Ответ на поставленный вопрос размещён на официальном сайте органа; гражданину сообщён адрес страницы.",
    ),
}
MAX_EXTENSION_DAYS = 30


def _locked(appeal: Appeal, expected_version: int | None) -> Appeal:
    """The appeal re-read under a row lock; refused when someone changed it since the user looked."""
    fresh = Appeal.objects.locked().select_related(
        "region", "sector", "subtopic", "municipality", "settlement", "agency").get(pk=appeal.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleVersion(
            f"Обращение № {fresh.number} уже изменил другой пользователь — обновите страницу и повторите."
        )
    return fresh


def _lock(appeal: Appeal, expected_version: int | None, action: str, by) -> Appeal:
    """Locked and checked that `by` may take `action` on it (cur/permissions.py: the role's right and
    the appeal in their scope, as it is now) and that the action is allowed from its status and kind."""
    fresh = _locked(appeal, expected_version)
    require(by, action, appeal=fresh)  # the citizen's verdict ("rate") comes with by=None: the link
    spec = ACTIONS[action]
    if fresh.kind not in spec.kinds:
        raise TransitionRefused(f"Действие «{spec.label}» не применяется к виду «{fresh.get_kind_display()}».")
    if fresh.status not in spec.sources:
        raise TransitionRefused(
            f"Нельзя {spec.label}: обращение № {fresh.number} в статусе «{fresh.get_status_display()}»."
        )
    return fresh


def _save(appeal: Appeal, fields: list[str]) -> None:
    appeal.version = F("version") + 1
    appeal.save(update_fields=[*fields, "version", "updated_at"])
    appeal.refresh_from_db(fields=["version"])


def _event(appeal: Appeal, kind: str, *, by, at: datetime, agency: Agency | None = None, field: str = "",
           old: str = "", new: str = "", reason: str = "") -> AppealEvent:
    return AppealEvent.objects.create(
        appeal=appeal, region_id=appeal.region_id, at=at, actor=by, agency=agency, kind=kind,
        field=field, old_value=old, new_value=new, reason=reason,
    )


def _move(appeal: Appeal, to: str, kind: str, *, by, at: datetime, fields: list[str], agency=None,
          reason: str = "") -> Appeal:
    before = appeal.status
    appeal.status = to
    _save(appeal, ["status", *fields])
    _event(appeal, kind, by=by, at=at, agency=agency if agency is not None else appeal.agency,
           field="status", old=before, new=to, reason=reason)
    return appeal


def _late(moment: datetime, due: datetime | None, what: str) -> str:
    """A note for the event when a step of 59-ФЗ was taken after its deadline."""
    if due is None or moment <= due:
        return ""
    return f"{what} с нарушением срока (срок — {timezone.localtime(due):%d.%m.%Y %H:%M})"


def _require(value: str, what: str) -> str:
    if not (value or "").strip():
        raise TransitionRefused(f"Укажите {what}.")
    return value.strip()


@transaction.atomic
def appeal_register(*, appeal: Appeal, by, at: datetime | None = None, expected_version: int | None = None) -> Appeal:
    """Registration: the deadlines start (59-ФЗ and ПОС from registration, incidents from receipt)."""
    at = at or timezone.now()
    appeal = _lock(appeal, expected_version, "register", by)
    appeal.registered_at = at
    start = appeal.received_at if appeal.kind == Kind.INCIDENT else at
    if appeal.kind == Kind.INCIDENT:
        deadlines.deadline_set(appeal, target=Target.FIRST_RESPONSE, start=start)
    if appeal.kind == Kind.APPEAL:
        deadlines.deadline_set(appeal, target=Target.FORWARDING, start=at)
    # the arrival's clock (registration, first response) gives way to the answer's
    appeal.due_at = appeal.warn_at = None
    appeal.is_overdue = appeal.is_due_soon = False
    deadlines.deadline_set(appeal, target=Target.FINAL, start=start)
    notice_create(appeal=appeal, kind=NoticeKind.REGISTERED, at=at)
    return _move(appeal, Status.REGISTERED, AppealEvent.Kind.REGISTERED, by=by, at=at, fields=[
        "registered_at", "due_at", "warn_at", "first_response_due_at", "forwarding_due_at", "is_overdue",
        "is_due_soon"], reason=_late(at, appeal.registration_due_at, "Зарегистрировано"))


def _check_not_complained(appeal: Appeal, agency: Agency) -> None:
    if appeal.complained_agency_id == agency.pk:
        raise TransitionRefused(
            f"Жалоба не может быть направлена в «{agency}»: обжалуются его действия (ч. 6 ст. 8 59-ФЗ)."
        )


@transaction.atomic
def appeal_assign(*, appeal: Appeal, agency: Agency, by, at: datetime | None = None,
                  expected_version: int | None = None) -> Appeal:
    """Route to the responsible body."""
    at = at or timezone.now()
    appeal = _lock(appeal, expected_version, "assign", by)
    _check_not_complained(appeal, agency)
    before = appeal.agency
    appeal.agency = agency
    appeal.status = Status.IN_PROGRESS
    _save(appeal, ["agency", "status"])
    assignment_open(appeal=appeal, agency=agency, at=at)
    _event(appeal, AppealEvent.Kind.ASSIGNED, by=by, at=at, agency=agency, field="agency",
           old=str(before or ""), new=str(agency))
    return appeal


@transaction.atomic
def appeal_forward(*, appeal: Appeal, agency: Agency, reason: str, by, at: datetime | None = None,
                   expected_version: int | None = None) -> Appeal:
    """Forward to another competent body. The citizen's deadline stays; the event marks where one
    body's share of the time ends and the next one's begins (ratings count each body's own share)."""
    at = at or timezone.now()
    reason = _require(reason, "причину переадресации")
    appeal = _lock(appeal, expected_version, "forward", by)
    _check_not_complained(appeal, agency)
    if agency.pk == appeal.agency_id:
        raise TransitionRefused("Обращение уже у этого исполнителя.")
    before = appeal.agency
    appeal.agency = agency
    _save(appeal, ["agency"])
    assignment_close(appeal=appeal, at=at, outcome=Assignment.Outcome.FORWARDED)
    assignment_open(appeal=appeal, agency=agency, at=at)
    late = _late(at, appeal.forwarding_due_at, "Переадресовано")
    _event(appeal, AppealEvent.Kind.FORWARDED, by=by, at=at, agency=agency, field="agency",
           old=str(before or ""), new=str(agency), reason=f"{reason}. {late}" if late else reason)
    notice_create(appeal=appeal, kind=NoticeKind.FORWARDED, at=at, agency=agency)
    return appeal


@transaction.atomic
def appeal_request_clarification(*, appeal: Appeal, question: str, by, at: datetime | None = None,
                                 expected_version: int | None = None) -> Appeal:
    """Ask the citizen for details; the clock stops until the answer comes."""
    at = at or timezone.now()
    question = _require(question, "что уточнить у гражданина")
    appeal = _lock(appeal, expected_version, "request_clarification", by)
    appeal.paused_at = at
    notice_create(appeal=appeal, kind=NoticeKind.CLARIFICATION, at=at, question=question)
    return _move(appeal, Status.AWAITING_CLARIFICATION, AppealEvent.Kind.CLARIFICATION_REQUESTED, by=by, at=at,
                 fields=["paused_at"], reason=question)


@transaction.atomic
def appeal_receive_clarification(*, appeal: Appeal, text: str, by=None, at: datetime | None = None,
                                 expected_version: int | None = None) -> Appeal:
    """The citizen answered: the clock runs again and the deadline moves by the paused working time."""
    at = at or timezone.now()
    appeal = _lock(appeal, expected_version, "receive_clarification", by)
    old_due = appeal.due_at
    deadlines.deadlines_resume(appeal, at=at)
    appeal.paused_at = None
    _move(appeal, Status.IN_PROGRESS, AppealEvent.Kind.CLARIFICATION_RECEIVED, by=by, at=at,
          fields=["paused_at", "due_at", "warn_at"], reason=text)
    if old_due != appeal.due_at:
        _event(appeal, AppealEvent.Kind.FIELD_CHANGED, by=by, at=at, field="due_at",
               old=old_due.isoformat() if old_due else "", new=appeal.due_at.isoformat(),
               reason="Срок продлён на время ожидания уточнения")
    return appeal


@transaction.atomic
def appeal_extend(*, appeal: Appeal, days: int, reason: str, by, at: datetime | None = None,
                  expected_version: int | None = None) -> Appeal:
    """59-ФЗ ст. 12 ч. 2: one extension of up to 30 days, with a reason; the citizen is told."""
    at = at or timezone.now()
    reason = _require(reason, "основание продления")
    appeal = _lock(appeal, expected_version, "extend", by)
    if appeal.extensions:
        raise TransitionRefused("Срок рассмотрения уже продлевался: 59-ФЗ допускает одно продление.")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise TransitionRefused(f"Продлить можно на 1–{MAX_EXTENSION_DAYS} дней.")
    old_due = appeal.due_at
    appeal.due_at = deadlines.extension_due(appeal, days=days)
    appeal.extensions += 1
    appeal.is_overdue = False
    _save(appeal, ["due_at", "extensions", "is_overdue"])
    _event(appeal, AppealEvent.Kind.EXTENDED, by=by, at=at, field="due_at", old=old_due.isoformat(),
           new=appeal.due_at.isoformat(),
           reason=f"{reason}. Гражданин уведомлён о продлении срока до {timezone.localtime(appeal.due_at):%d.%m.%Y}.")
    notice_create(appeal=appeal, kind=NoticeKind.EXTENDED, at=at, reason=reason)
    return appeal


@transaction.atomic
def appeal_leave_without_answer(*, appeal: Appeal, ground: str, by, at: datetime | None = None,
                                expected_version: int | None = None) -> Appeal:
    """Leave a 59-ФЗ appeal without an answer on a ground of ст. 11; the notice goes to the citizen."""
    at = at or timezone.now()
    if ground not in ST11_GROUNDS:
        raise TransitionRefused("Выберите основание из ст. 11 59-ФЗ.")
    appeal = _lock(appeal, expected_version, "leave_without_answer", by)
    label, notice = ST11_GROUNDS[ground]
    appeal.closed_at = at
    assignment_close(appeal=appeal, at=at, outcome=Assignment.Outcome.WITHDRAWN)
    notice_create(appeal=appeal, kind=NoticeKind.LEFT_WITHOUT_ANSWER, at=at, explanation=notice)
    return _move(appeal, Status.LEFT_WITHOUT_ANSWER, AppealEvent.Kind.LEFT_WITHOUT_ANSWER, by=by, at=at,
                 fields=["closed_at"], reason=f"{label}. Уведомление: {notice}")


@transaction.atomic
def answer_submit(*, appeal: Appeal, text: str, by, agency: Agency | None = None, is_interim: bool = False,
                  files: Sequence = (), at: datetime | None = None,
                  expected_version: int | None = None) -> Answer:
    """The executor's interim or final answer. An interim one counts as the first response and, for
    incidents, starts the «after interim» deadline; a final one goes to the ЦУР/МЦУ for review.
    `files` (photos, an act, a scan) are kept on the answer in the same transaction; a photo or a PDF
    among them is its evidence — `has_evidence` is what was attached, not what was claimed."""
    at = at or timezone.now()
    text = _require(text, "текст ответа")
    try:
        files = check_files(files)  # every file by content, before anything is locked or written
    except AttachmentRefused as refused:
        raise TransitionRefused(refused.messages) from None
    has_evidence = any(item.type.evidence for item in files)
    appeal = _lock(appeal, expected_version, "answer_interim" if is_interim else "answer_final", by)
    agency = agency or appeal.agency
    flags = answer_flags(text=text, is_interim=is_interim, has_evidence=has_evidence, at=at,  # dates judged from it
                         evidence_required=appeal.needs_evidence)
    answer = Answer.objects.create(appeal=appeal, region_id=appeal.region_id, agency=agency, author=by,
                                   is_interim=is_interim, text=text, has_evidence=has_evidence, created_at=at,
                                   flags=flags, review=Answer.Review.ACCEPTED if is_interim else Answer.Review.PENDING)
    assignment_first_response(appeal=appeal, at=at)  # the body's own first response in its turn (ratings)
    fields = []
    if appeal.first_response_at is None:
        appeal.first_response_at = at
        fields.append("first_response_at")
    if is_interim:
        if appeal.kind == Kind.INCIDENT and deadlines.deadline_set(appeal, target=Target.FINAL_AFTER_INTERIM, start=at):
            fields += ["due_at", "warn_at", "is_overdue", "is_due_soon"]
        _move(appeal, Status.INTERIM_ANSWERED, AppealEvent.Kind.INTERIM_ANSWERED, by=by, at=at, fields=fields,
              agency=agency)
        source_reply_enqueue(appeal=appeal, answer=answer, at=at)  # an interim answer reaches a ПОС / ИМ citizen now
    else:
        appeal.answered_at = at
        assignment_close(appeal=appeal, at=at, outcome=Assignment.Outcome.ANSWERED)
        _move(appeal, Status.ANSWERED, AppealEvent.Kind.ANSWERED, by=by, at=at, fields=[*fields, "answered_at"],
              agency=agency)
    if files:  # last: the storage is written only once everything else of the answer has been
        attachments_add(appeal=appeal, files=files, by=by, answer=answer, at=at)
    return answer


def _last_final_answer(appeal: Appeal) -> Answer | None:
    return appeal.answers.filter(is_interim=False).order_by("-created_at", "-pk").first()


@transaction.atomic
def appeal_return_for_rework(*, appeal: Appeal, reason: str, by, at: datetime | None = None,
                             expected_version: int | None = None) -> Appeal:
    """The ЦУР/МЦУ rejects a weak answer («отписка»); it counts against the body's quality."""
    at = at or timezone.now()
    reason = _require(reason, "что не так с ответом")
    appeal = _lock(appeal, expected_version, "return_for_rework", by)
    answer = _last_final_answer(appeal)
    if answer:
        answer.review = Answer.Review.RETURNED
        answer.save(update_fields=["review"])
    appeal.answered_at = None
    if appeal.agency_id:  # the body's clock runs again from the return, with no fresh share: the time lost is its own
        assignment_open(appeal=appeal, agency=appeal.agency, at=at, guaranteed_share=False)
    return _move(appeal, Status.RETURNED_FOR_REWORK, AppealEvent.Kind.RETURNED_FOR_REWORK, by=by, at=at,
                 fields=["answered_at"], reason=reason)


@transaction.atomic
def appeal_close(*, appeal: Appeal, by, at: datetime | None = None, expected_version: int | None = None) -> Appeal:
    """Accept the answer and close the appeal."""
    at = at or timezone.now()
    appeal = _lock(appeal, expected_version, "close", by)
    answer = _last_final_answer(appeal)
    if answer:
        answer.review = Answer.Review.ACCEPTED
        answer.save(update_fields=["review"])
    appeal.closed_at = at
    notice_create(appeal=appeal, kind=NoticeKind.ANSWERED, at=at, answer=answer)
    if answer:  # the accepted answer goes back to ПОС / ИМ with the notice, in this transaction
        source_reply_enqueue(appeal=appeal, answer=answer, at=at)
    return _move(appeal, Status.CLOSED, AppealEvent.Kind.CLOSED, by=by, at=at, fields=["closed_at"])


def _reopen(appeal: Appeal, *, by, at: datetime, reason: str) -> Appeal:
    """Repeat consideration with a fresh deadline; the event counts against the body."""
    appeal.closed_at = None
    appeal.answered_at = None
    deadlines.deadline_set(appeal, target=Target.FINAL, start=at)
    if appeal.agency_id:
        assignment_open(appeal=appeal, agency=appeal.agency, at=at)
    return _move(appeal, Status.IN_PROGRESS, AppealEvent.Kind.REOPENED, by=by, at=at, reason=reason,
                 fields=["closed_at", "answered_at", "due_at", "warn_at", "is_overdue", "is_due_soon"])


@transaction.atomic
def appeal_reopen(*, appeal: Appeal, reason: str, by, at: datetime | None = None,
                  expected_version: int | None = None) -> Appeal:
    at = at or timezone.now()
    reason = _require(reason, "причину возобновления")
    return _reopen(_lock(appeal, expected_version, "reopen", by), by=by, at=at, reason=reason)


@transaction.atomic
def appeal_rate(*, appeal: Appeal, satisfaction: str, by=None, at: datetime | None = None,
                expected_version: int | None = None) -> Appeal:
    """The citizen's verdict on the answer; «not satisfied» reopens the appeal for repeat consideration."""
    at = at or timezone.now()
    if satisfaction not in Satisfaction.values:
        raise TransitionRefused("Оценка: удовлетворён или не удовлетворён.")
    appeal = _lock(appeal, expected_version, "rate", by)
    before = appeal.satisfaction
    appeal.satisfaction = satisfaction
    _save(appeal, ["satisfaction"])
    _event(appeal, AppealEvent.Kind.RATED, by=by, at=at, agency=appeal.agency, field="satisfaction",
           old=before, new=satisfaction)
    if satisfaction == Satisfaction.NOT_SATISFIED:
        _reopen(appeal, by=by, at=at, reason="Гражданин не удовлетворён ответом — повторное рассмотрение")
    return appeal


def available_actions(appeal: Appeal) -> list[str]:
    """The actions allowed from the appeal's current status (the card shows only these)."""
    return [name for name, spec in ACTIONS.items() if appeal.status in spec.sources and appeal.kind in spec.kinds]


def appeal_act(*, action: str, appeal: Appeal, by, data: dict) -> Appeal:
    """Run one action by its name with the cleaned data of its form — the card's single entry point."""
    version = data.get("version")
    common = {"appeal": appeal, "by": by, "expected_version": version}
    if action == "register":
        return appeal_register(**common)
    if action == "assign":
        return appeal_assign(agency=data["agency"], **common)
    if action == "forward":
        return appeal_forward(agency=data["agency"], reason=data["reason"], **common)
    if action == "request_clarification":
        return appeal_request_clarification(question=data["question"], **common)
    if action == "receive_clarification":
        return appeal_receive_clarification(text=data["text"], **common)
    if action == "extend":
        return appeal_extend(days=data["days"], reason=data["reason"], **common)
    if action == "leave_without_answer":
        return appeal_leave_without_answer(ground=data["ground"], **common)
    if action in ("answer_interim", "answer_final"):
        answer_submit(text=data["text"], files=data.get("files") or (),
                      is_interim=action == "answer_interim", **common)
        return Appeal.objects.get(pk=appeal.pk)
    if action == "return_for_rework":
        return appeal_return_for_rework(reason=data["reason"], **common)
    if action == "close":
        return appeal_close(**common)
    if action == "reopen":
        return appeal_reopen(reason=data["reason"], **common)
    raise TransitionRefused("Неизвестное действие.")


CORRECTABLE = ("subtopic", "sector", "municipality", "settlement", "address", "title", "importance")


def _fast_track_refresh(appeal: Appeal, *, by, at: datetime) -> list[str]:
    """The topic or the place changed: the fast-track mechanism that covers it now (or none), its body
    proposed and, once registered, its shorter deadline. Returns the fields changed."""
    track = fast_track_choose(fast_track_rules(region_id=appeal.region_id), municipality_id=appeal.municipality_id,
                              subtopic_id=appeal.subtopic_id)
    if (track.id if track else None) == appeal.fast_track_id:
        return []
    old = appeal.fast_track
    appeal.fast_track = FastTrack.objects.get(pk=track.id) if track else None
    fields = ["fast_track"]
    if track:
        appeal.proposed_agency_id = track.agency_id
        fields.append("proposed_agency")
        if deadlines.fast_track_shorten(appeal):
            fields += ["due_at", "warn_at", "is_due_soon"]
    _event(appeal, AppealEvent.Kind.FIELD_CHANGED, by=by, at=at, field="fast_track",
           old="" if old is None else str(old), new="" if track is None else str(appeal.fast_track),
           reason="Механизм ускоренного решения по исправленной тематике или территории")
    return fields


@transaction.atomic
def appeal_correct(*, appeal: Appeal, by, changes: dict, reason: str = "", at: datetime | None = None,
                   expected_version: int | None = None) -> Appeal:
    """Correct the structured fields (topic, place, importance). Each changed field becomes a
    FIELD_CHANGED event with the old and the new value — the examples the structuring learns from.
    A new subtopic brings its sector; a settlement must lie in the chosen municipality."""
    at = at or timezone.now()
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise TransitionRefused(f"Эти поля не исправляются здесь: {', '.join(sorted(unknown))}.")
    fresh = _locked(appeal, expected_version)
    require(by, "correct", appeal=fresh)
    changes = dict(changes)
    if changes.get("subtopic") is not None:
        changes["sector"] = changes["subtopic"].sector
    moved_block = "sector" in changes and changes["sector"] != fresh.sector
    if moved_block and sectors_outside_block(by, [changes["sector"].pk]):
        raise TransitionRefused(
            f"Подтема «{changes['subtopic']}» относится к тематике «{changes['sector']}» другого блока: "
            "перевести обращение в другой блок может оператор или руководитель МЦУ (ЦУР)."
        )
    settlement = changes.get("settlement", fresh.settlement)
    municipality = changes.get("municipality", fresh.municipality)
    if settlement is not None and municipality is not None and settlement.municipality_id != municipality.pk:
        raise TransitionRefused(f"{settlement} не относится к {municipality}.")
    changed = []
    for name in CORRECTABLE:
        if name not in changes or changes[name] == getattr(fresh, name):
            continue
        old = getattr(fresh, name)
        setattr(fresh, name, changes[name])
        changed.append(name)
        why = reason or "Исправлено оператором"
        if name == "sector" and moved_block:  # the appeal leaves one block's view for another's
            why += f"; передано в другой блок: «{changes['sector']}»"
        _event(fresh, AppealEvent.Kind.FIELD_CHANGED, by=by, at=at, field=name,
               old="" if old is None else str(old), new="" if changes[name] is None else str(changes[name]),
               reason=why)
    if changed:
        if "subtopic" in changed or "sector" in changed or "municipality" in changed:
            fresh.structuring_confidence = 1.0  # confirmed by a person
            changed.append("structuring_confidence")
            changed += _fast_track_refresh(fresh, by=by, at=at)
        _save(fresh, changed)
        if ("subtopic" in changed or "sector" in changed) and fresh.sector_id:
            example_remember(appeal=fresh)
    return fresh
