"""The citizen's verdict link (DESIGN.md: «оценка гражданина … from ПОС or our own survey link»): made
for the answer notice, checked by the public page. A leaf: notices import it, it imports no service.

The link carries a signed token: the appeal and the moment it was closed. A reopened and closed
again appeal has a new closing moment, so a link from an earlier answer cannot rate a later one.
The link is good for 60 days and for one verdict.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from appeals.models import Answer, Appeal, AppealEvent, Status

SALT = "appeals.verdict"
MAX_AGE = timedelta(days=60)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class VerdictLinkError(Exception):
    """A link that cannot take a verdict; `status` is the HTTP answer, `message` what the citizen reads."""

    status = 400
    message = ("Ссылка для оценки ответа недействительна. Проверьте, что она скопирована из письма полностью, "
               "без пробелов и переносов.")

    def __init__(self, appeal: Appeal | None = None):
        super().__init__(self.message)
        self.appeal = appeal


class VerdictLinkInvalid(VerdictLinkError):
    pass


class VerdictChoiceInvalid(VerdictLinkError):
    message = "Выберите один из ответов: «Удовлетворён» или «Не удовлетворён»."


class VerdictLinkExpired(VerdictLinkError):
    status = 410
    message = "Срок действия ссылки истёк: оценить ответ можно в течение 60 дней после его получения."


class VerdictLinkStale(VerdictLinkError):
    status = 410
    message = ("Эта ссылка относится к прежнему ответу: обращение рассматривалось повторно. "
               "Оцените последний ответ по ссылке из последнего письма.")


class VerdictAlreadyGiven(VerdictLinkError):
    status = 410
    message = "Оценка этого ответа уже принята. Спасибо!"


def _stamp(moment: datetime) -> int:
    """Microseconds since the epoch: exact, unlike a float timestamp."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def verdict_token(appeal: Appeal) -> str:
    """The signed token of the appeal's current closing; the appeal must be closed."""
    if appeal.closed_at is None:
        raise ValueError(f"Appeal {appeal.pk} is not closed: there is no answer to rate.")
    return signing.dumps({"a": appeal.pk, "c": _stamp(appeal.closed_at)}, salt=SALT, compress=True)


def verdict_url(appeal: Appeal) -> str:
    """The public link to the verdict page, as the citizen receives it."""
    return settings.CUR_PUBLIC_URL.rstrip("/") + reverse("verdict", args=[verdict_token(appeal)])


def verdict_check(token: str, *, lock: bool = False) -> Appeal:
    """The appeal whose answer the token may still rate; raises a VerdictLinkError subclass when the
    token is tampered with, older than 60 days, from an earlier answer, or already used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        pk, closed = int(data["a"]), int(data["c"])
    except signing.SignatureExpired:
        raise VerdictLinkExpired() from None
    except (signing.BadSignature, TypeError, KeyError, ValueError):
        raise VerdictLinkInvalid() from None
    appeals = Appeal.objects.select_related("region", "agency")
    if lock:
        appeals = appeals.locked()
    appeal = appeals.filter(pk=pk).first()
    if appeal is None:
        raise VerdictLinkInvalid()
    # What happened first after this closing: a verdict uses the link up, a reopening makes it stale.
    since = EPOCH + timedelta(microseconds=closed)
    after = (appeal.events.filter(kind__in=[AppealEvent.Kind.RATED, AppealEvent.Kind.REOPENED], at__gte=since)
             .order_by("at", "pk").values_list("kind", flat=True).first())
    if after == AppealEvent.Kind.RATED:
        raise VerdictAlreadyGiven(appeal)
    if after is not None or appeal.status != Status.CLOSED or appeal.closed_at is None \
            or _stamp(appeal.closed_at) != closed:
        raise VerdictLinkStale(appeal)
    return appeal


def verdict_answer(appeal: Appeal) -> Answer | None:
    """The accepted final answer the citizen is asked about."""
    return (appeal.answers.filter(is_interim=False, review=Answer.Review.ACCEPTED).select_related("agency")
            .order_by("-created_at", "-pk").first())
