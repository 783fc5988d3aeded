"""Staff notifications (cur.models.StaffNotification): the bell of the heading, and the e-mail copy."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from cur.models import StaffNotification
from cur.tasks import staff_notifications_email


def staff_notify(user_ids: Iterable[int], *, title: str, url: str = "", at: datetime | None = None) -> list[int]:
    """One notice for each of the people (each once), and their e-mail copies sent once the transaction
    commits — nothing is mailed about a change that was rolled back. Returns the notices' ids."""
    at = at or timezone.now()
    notices = StaffNotification.objects.bulk_create(
        StaffNotification(recipient_id=pk, title=title[:300], url=url[:300], created_at=at)
        for pk in sorted(set(user_ids)))
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(lambda: staff_notifications_email.delay(ids))
    return ids


def staff_notifications_send(notification_ids: list[int]) -> int:
    """E-mail each notice whose recipient has an address and that was not sent yet; a notice is claimed by
    the update that marks it, so a redelivered task sends nothing twice."""
    sent = 0
    for notice in StaffNotification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True) \
            .exclude(recipient__email="").select_related("recipient"):
        with transaction.atomic():
            claimed = StaffNotification.objects.filter(pk=notice.pk, emailed_at__isnull=True) \
                .update(emailed_at=timezone.now())
            if not claimed:
                continue
            link = f"{settings.CUR_PUBLIC_URL.rstrip('/')}{notice.url}" if notice.url else ""
            send_mail(notice.title, f"{notice.title}\n\n{link}".strip(), None, [notice.recipient.email])
            sent += 1
    return sent


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return StaffNotification.objects.filter(recipient=user, read_at__isnull=True).count()
