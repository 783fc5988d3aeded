"""Problems (clusters of appeals about one thing in one place) for integrators: the list, newest first by
keyset, and one Problem with its appeals — inside the caller's scope (a Problem is theirs when one of its
appeals is), titles as the reader may read them (152-ФЗ), as on the pages «Проблемы»."""

from __future__ import annotations

from django.db.models import Count, Exists, Max, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals.models import Problem
from appeals.workspace import selectors

TAGS = ["Проблемы"]
PAGE = 50


def _problem_page(*, user, after: int | None) -> tuple[list[Problem], int | None]:
    """A page of the user's Problems, newest first, keyset on the id; each with the counts of the appeals
    the user may see. The rule of selectors.problem_scope (a Problem with an appeal in the scope), written
    as EXISTS per Problem so that the page can be read down the primary key, each Problem's appeals probed
    by the problem_id index, and stop at PAGE + 1 — rather than collecting the problem ids of every appeal
    in the scope first; the counts are then read for the page's Problems only."""
    visible = selectors.appeal_scope(user=user)
    problems = (Problem.objects.filter(Exists(visible.filter(problem_id=OuterRef("pk"))))
                .select_related("subtopic", "municipality", "settlement").defer("municipality__boundary")
                .order_by("-pk"))
    if after is not None:
        problems = problems.filter(pk__lt=after)
    rows = list(problems[:PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    counts = {row["problem_id"]: row for row in visible.filter(problem_id__in=[p.pk for p in rows])
              .order_by().values("problem_id")
              .annotate(n_appeals=Count("pk"), n_channels=Count("channel", distinct=True),
                        last_at=Max("received_at"))}
    for problem in rows:
        found = counts.get(problem.pk, {})
        problem.n_appeals, problem.n_channels = found.get("n_appeals", 0), found.get("n_channels", 0)
        problem.last_at = found.get("last_at")
        problem.shown_title = selectors.problem_title(problem=problem, user=user)
    return rows, rows[-1].pk if more else None


class ProblemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="shown_title", help_text="Суть проблемы (персональные данные скрыты, "
                                                                  "если роли они не положены)")
    subtopic = serializers.CharField(source="subtopic.code", default=None, allow_null=True)
    municipality_oktmo = serializers.CharField(source="municipality.oktmo", default=None, allow_null=True)
    settlement = serializers.CharField(source="settlement.name", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    appeals_count = serializers.IntegerField(source="n_appeals", help_text="Обращений в вашей зоне")
    channels_count = serializers.IntegerField(source="n_channels", help_text="Каналов, из которых они пришли")
    last_received_at = serializers.DateTimeField(source="last_at", allow_null=True)


class ProblemListApi(APIView):
    """GET /api/v1/problems/ — 50 a page, newest first, keyset cursor `after` (the last id seen)."""

    @extend_schema_serializer(component_name="ProblemPage")
    class OutputSerializer(serializers.Serializer):
        results = ProblemSerializer(many=True)
        next_after = serializers.IntegerField(allow_null=True, help_text="Курсор следующей страницы; null — последняя")

    @extend_schema(operation_id="problems_list", summary="Список проблем (кластеров обращений)", tags=TAGS,
                   parameters=[OpenApiParameter("after", OpenApiTypes.INT,
                                                description="Курсор следующей страницы (next_after)")],
                   responses=OutputSerializer)
    def get(self, request):
        after = request.query_params.get("after")
        if after and not after.isdigit():
            raise ValidationError({"after": ["Курсор — число из next_after."]})
        rows, next_after = _problem_page(user=request.user, after=int(after) if after else None)
        return Response({"results": ProblemSerializer(rows, many=True).data, "next_after": next_after})


class ProblemAppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    channel = serializers.CharField()
    received_at = serializers.DateTimeField()


class ProblemDetailApi(APIView):
    """GET /api/v1/problems/<id>/ — the Problem and its appeals the caller may see, in order of arrival."""

    @extend_schema_serializer(component_name="ProblemDetail")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField(help_text="Суть проблемы (персональные данные скрыты, если роли они не положены)")
        subtopic = serializers.CharField(allow_null=True)
        municipality_oktmo = serializers.CharField(allow_null=True)
        settlement = serializers.CharField(allow_null=True)
        created_at = serializers.DateTimeField()
        resolved_at = serializers.DateTimeField(allow_null=True)
        appeals = ProblemAppealSerializer(many=True,
                                          help_text="Её обращения в вашей зоне, по порядку поступления")

    @extend_schema(operation_id="problems_detail", summary="Проблема и её обращения", tags=TAGS,
                   responses=OutputSerializer)
    def get(self, request, pk: int):
        problem = selectors.problem_get(user=request.user, pk=pk)
        appeals = selectors.problem_appeals(user=request.user, problem=problem)
        return Response(self.OutputSerializer({
            "id": problem.pk, "title": selectors.problem_title(problem=problem, user=request.user),
            "subtopic": problem.subtopic.code if problem.subtopic_id else None,
            "municipality_oktmo": problem.municipality.oktmo if problem.municipality_id else None,
            "settlement": problem.settlement.name if problem.settlement_id else None,
            "created_at": problem.created_at, "resolved_at": problem.resolved_at,
            "appeals": appeals,
        }).data)
