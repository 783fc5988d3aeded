"""File imports of «Приём и карантин» for integrators: upload a CSV or XLSX in the neutral format
(docs/integrations.md) and follow its job — the page's service (appeals/sources/files.py import_job_create:
the file kept, the job fixed to the caller's territory, the Celery task queued once the job is committed)
and the page's selectors (scoped by cur.scoping.scope_intake). Only a role that takes items in may: the
centres' operators; an integrator or an executor gets 403. A МЦУ's job writes its own municipality only:
a row naming another waits in the quarantine with its reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.v1.appeals import IDEMPOTENCY
from appeals.intake import selectors
from appeals.sources.files import import_job_create
from cur.permissions import can_take_in

TAGS = ["Импорт"]


def _require(user) -> None:
    """The page's rule (appeals/intake/views.py), asked before the file is read."""
    if not can_take_in(user):
        raise PermissionDenied("Приём обращений доступен операторам ЦУР и МЦУ.")


@extend_schema_serializer(component_name="ImportReport")
class ReportSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Строк обработано")
    created = serializers.IntegerField(help_text="Создано обращений")
    updated = serializers.IntegerField(help_text="Обновлено (новая версия строки)")
    unchanged = serializers.IntegerField(help_text="Без изменений")
    quarantined = serializers.IntegerField(help_text="В карантине (строки с ошибками или чужой территории)")


@extend_schema_serializer(component_name="ImportJob")
class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField(source="original_name")
    status = serializers.CharField(help_text="queued, running, done или failed")
    status_label = serializers.CharField(source="get_status_display")
    is_finished = serializers.BooleanField()
    progress = serializers.IntegerField(help_text="Ход импорта, % (100 — завершён)")
    total = serializers.IntegerField(help_text="Строк в файле (0 — ещё не прочитан)")
    encoding = serializers.CharField(help_text="Распознанная кодировка")
    municipality_id = serializers.IntegerField(allow_null=True, help_text="МО загрузившего МЦУ: строки без МО "
                                                                         "относятся к нему, чужие — в карантин")
    report = ReportSerializer(source="*")
    error = serializers.CharField(help_text="Почему импорт не выполнен; пусто — выполнен или идёт")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ImportJobListApi(APIView):
    """GET /api/v1/import-jobs/ — the caller's latest jobs (the page's 20), newest first."""

    @extend_schema_serializer(component_name="ImportJobList")
    class OutputSerializer(serializers.Serializer):
        results = ImportJobSerializer(many=True)

    @extend_schema(operation_id="import_jobs_list", summary="Импорты файлов (последние 20)", tags=TAGS,
                   responses=OutputSerializer)
    def get(self, request):
        jobs = selectors.import_jobs(user=request.user)  # 403 for a role that does not take items in
        return Response(self.OutputSerializer({"results": jobs}).data)


class ImportJobCreateApi(APIView):
    """POST /api/v1/import-jobs/ (multipart `file`) — 201 with the job, queued."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="ImportUpload")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="CSV (UTF-8, CP1251, KOI8-R; «;» или «,») или XLSX в нейтральном "
                                               "формате: external_id, kind, channel, received_at, text, …")

    @extend_schema(
        operation_id="import_jobs_create", summary="Загрузить файл для импорта", tags=TAGS,
        description="Файл сохраняется, импорт идёт в фоне: следите за ним по GET /api/v1/import-jobs/<id>/. "
                    "Строки с ошибками и строки чужой территории попадают в карантин с причиной.",
        request={"multipart/form-data": InputSerializer}, parameters=[IDEMPOTENCY],
        responses={201: ImportJobSerializer},
        examples=[OpenApiExample("Реестр писем", value={"file": "реестр.csv (содержимое файла)"}, request_only=True,
                                  media_type="multipart/form-data")],
    )
    @idempotent
    def post(self, request):
        _require(request.user)
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = import_job_create(uploaded=body.validated_data["file"], by=request.user)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobCollectionApi(ImportJobListApi, ImportJobCreateApi):
    """/api/v1/import-jobs/: GET lists (ImportJobListApi), POST uploads (ImportJobCreateApi)."""


class ImportJobDetailApi(APIView):
    """GET /api/v1/import-jobs/<id>/ — status, progress and the report (404 outside the caller's territory)."""

    @extend_schema(operation_id="import_jobs_detail", summary="Импорт: состояние, ход и отчёт", tags=TAGS,
                   responses=ImportJobSerializer)
    def get(self, request, pk: int):
        return Response(ImportJobSerializer(selectors.import_job_get(user=request.user, pk=pk)).data)
