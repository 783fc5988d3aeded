"""The shapes of GeoReport v2 answers (the field names and their order are the spec's), before renderers.py writes
them as JSON or XML. A service request is public (the spec reads it without a key), so only public fields leave:
no name, no contacts, the text and the address masked (152-ФЗ, appeals.privacy.visible_text with
personal=False) — and no text at all of a 59-ФЗ обращение, a letter to the authorities, not a public report."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rest_framework import serializers

from api.open311.selectors import CLOSED_STATUSES, DESCRIPTION_LIMIT
from appeals.models import Channel, Kind
from appeals.privacy import visible_text


def w3_datetime(value, tz: ZoneInfo) -> str | None:
    """An aware datetime as the spec writes it (ISO 8601 with the offset), in the region's zone."""
    return value.astimezone(tz).isoformat(timespec="seconds") if value else None


class AttributeSerializer(serializers.Serializer):
    variable = serializers.SerializerMethodField()
    code = serializers.CharField()
    datatype = serializers.CharField()
    required = serializers.BooleanField()
    datatype_description = serializers.CharField(allow_null=True)
    order = serializers.IntegerField()
    description = serializers.CharField()

    def get_variable(self, attribute) -> bool:
        return True  # every attribute of ours asks the citizen something


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    service_name = serializers.CharField(source="name")
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.SerializerMethodField()
    keywords = serializers.CharField()
    group = serializers.CharField()

    def get_type(self, service) -> str:
        return "realtime"  # the request's id is in the POST's answer


class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    attributes = AttributeSerializer(many=True)


class ServiceRequestSerializer(serializers.Serializer):
    """One appeal (selectors.PublicRequest) as a GeoReport v2 service request. `context["tz"]`: the region's zone.
    There are no `lat` / `long` (an appeal keeps no coordinates: the point of a POST decides its municipality and
    is kept in the history only) and no `zipcode` (none is kept); `address_id` is the municipality's ОКТМО."""

    service_request_id = serializers.CharField(source="number")
    status = serializers.SerializerMethodField()
    status_notes = serializers.CharField(source="status_label")
    service_name = serializers.CharField(source="subtopic_name", allow_null=True)
    service_code = serializers.CharField(source="subtopic_code", allow_null=True)
    description = serializers.SerializerMethodField()
    agency_responsible = serializers.CharField(source="agency_name", allow_null=True)
    service_notice = serializers.SerializerMethodField()
    requested_datetime = serializers.SerializerMethodField()
    updated_datetime = serializers.SerializerMethodField()
    expected_datetime = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    address_id = serializers.CharField(source="oktmo", allow_null=True)
    zipcode = serializers.SerializerMethodField()
    media_url = serializers.SerializerMethodField()

    def _tz(self) -> ZoneInfo:
        return self.context["tz"]

    def get_status(self, appeal) -> str:
        return "closed" if appeal.status in CLOSED_STATUSES else "open"

    def get_description(self, appeal) -> str | None:
        if appeal.kind == Kind.APPEAL:
            return None
        return visible_text(appeal.excerpt, personal=False, limit=DESCRIPTION_LIMIT) or None

    def get_service_notice(self, appeal) -> str | None:
        action = appeal.fast_track_action
        return f"Ускоренное решение: {action}" if action else None

    def get_requested_datetime(self, appeal) -> str | None:
        return w3_datetime(appeal.received_at, self._tz())

    def get_updated_datetime(self, appeal) -> str | None:
        # the spec: for a closed request, the moment it was closed
        closed = appeal.closed_at if appeal.status in CLOSED_STATUSES else None
        return w3_datetime(closed or appeal.updated_at, self._tz())

    def get_expected_datetime(self, appeal) -> str | None:
        return w3_datetime(appeal.due_at, self._tz())

    def get_address(self, appeal) -> str | None:
        return visible_text(appeal.address, personal=False) or None

    def get_zipcode(self, appeal) -> None:
        return None

    def get_media_url(self, appeal) -> str | None:
        # the link a civic app sent with its request; other channels' links (a social post) name their author
        return (appeal.source_url or None) if appeal.channel == Channel.OPEN311 else None


class CreatedSerializer(serializers.Serializer):
    """The POST's answer: the id at once (we create synchronously, so there is no token)."""

    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)
