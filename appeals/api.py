"""REST API of appeals for integrators: the same selectors and scoping as the HTML pages."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals import selectors


class AppealOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    importance = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    sector = serializers.CharField(source="sector.code", default=None)
    subtopic = serializers.CharField(source="subtopic.code", default=None)
    municipality_oktmo = serializers.CharField(source="municipality.oktmo", default=None)
    settlement = serializers.CharField(source="settlement.name", default=None)
    address = serializers.CharField()
    agency = serializers.CharField(source="agency.code", default=None)
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()
    is_overdue = serializers.BooleanField()
    satisfaction = serializers.CharField()


class AppealListApi(APIView):
    """GET /api/v1/appeals/?status=&sector=&municipality=…&order=new|deadline&after=<cursor> — 50 a page."""

    def get(self, request):
        order = request.query_params.get("order", "new")
        if order not in selectors.ORDERS:
            raise ValidationError({"order": f"one of {sorted(selectors.ORDERS)}"})
        filterset, rows, next_cursor = selectors.appeal_list(
            user=request.user, params=request.query_params, after=request.query_params.get("after"), order=order
        )
        if filterset.errors:
            raise ValidationError(filterset.errors)
        return Response({"results": AppealOutputSerializer(rows, many=True).data, "next_after": next_cursor})


class AppealDetailApi(APIView):
    """GET /api/v1/appeals/<id>/ — with the citizen block masked for roles without access."""

    def get(self, request, pk: int):
        appeal = selectors.appeal_get(user=request.user, pk=pk)
        data = AppealOutputSerializer(appeal).data
        data["citizen"] = selectors.appeal_personal_data(appeal=appeal, user=request.user)
        return Response(data)
