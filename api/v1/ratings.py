"""GET /api/v1/ratings/ — the rating of the page (same parameters, same scope, same numbers) as JSON."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cur.periods import PeriodError, calendar_period
from cur.scoping import scope_of, user_region
from ratings.models import PARTS
from ratings.selectors import rating


class RatingApi(APIView):
    """?level=agency|municipality&period=week|month|quarter|year|custom&on=YYYY-MM-DD (or from= / to=):
    each body's (municipality's) group, place, change of place, score, zone, parts and counts; `drill` is the
    value of the queue's `rating` filter (GET /api/v1/appeals/?rating=…) listing the appeals a count is of."""

    @extend_schema(
        operation_id="ratings", summary="Рейтинг органов или муниципалитетов за период", tags=["Рейтинги и карта"],
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=["agency", "municipality"]),
            OpenApiParameter("period", OpenApiTypes.STR, enum=["week", "month", "quarter", "year", "custom"]),
            OpenApiParameter("on", OpenApiTypes.DATE, description="День внутри периода (по умолчанию — сегодня)"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Начало (period=custom)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Конец (period=custom)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        level = params.get("level", "agency")
        if level not in ("agency", "municipality"):
            raise ValidationError({"level": "agency или municipality"})
        if user_region(request.user) is None or (level == "municipality" and scope_of(request.user).agency_id):
            raise NotFound()
        try:
            period = calendar_period(params)
        except PeriodError as error:
            raise ValidationError({"period": str(error)}) from None
        board = rating(request.user, period, level=level)
        m = board.methodology
        return Response({
            "level": level,
            "period": {"kind": period.kind, "first": period.first, "last": period.last, "label": period.label},
            "methodology": {"effective_from": m.effective_from, "weights": m.weights, "min_volume": board.minimum,
                            "green_from": m.green_from, "yellow_from": m.yellow_from},
            "results": [{
                "id": row.key, "name": row.name, "group": group, "place": row.rated.place,
                "place_change": row.place_change, "ranked": row.rated.ranked, "score": row.rated.score,
                "zone": row.rated.zone, "parts": {part: row.rated.values[part] for part in PARTS},
                "counts": {name: getattr(row.sums, name) for name in (
                    "received", "repeats", "on_time", "late", "answered", "quality_ok", "quality_bad", "complete_ok",
                    "complete_bad", "rated", "satisfied")},
                "drill": row.drills,
            } for group, rows in board.groups for row in rows],
        })
