from celery import shared_task


@shared_task
def situations_scan() -> dict:
    """Beat job (cur/celery.py): judge the running week and the week before in every region (idempotent)."""
    from datetime import timedelta

    from django.utils import timezone

    from heatmap.conflicts.services import monday
    from heatmap.conflicts.services import situations_scan as scan
    from municipalities.models import Region

    this_week = monday(timezone.localdate())
    found = {}
    for region in Region.objects.all():
        for week in (this_week - timedelta(weeks=1), this_week):
            report = scan(region=region, week=week)
            found[f"{region.code} {week}"] = {"surges": report.surges, "repeats": report.repeats,
                                              "conflicts": report.conflicts, "new": len(report.created)}
    return found


@shared_task
def staff_notifications_email(notification_ids: list[int]) -> int:
    """Send the notices to those who have an e-mail address, once each (emailed_at set in the same update)."""
    from cur.notifications import staff_notifications_send

    return staff_notifications_send(notification_ids)
