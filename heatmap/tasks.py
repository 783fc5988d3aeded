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
