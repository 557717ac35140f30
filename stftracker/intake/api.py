"""The uploads API: the files a user may see (the same selector as the upload pages) and new
uploads through the same import as the upload page, all rows or none stored, within the user's
upload allowance (``UPLOAD_THROTTLE_RATE``, shared with the upload page)."""
import django_filters
from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from trusts.models import KIND_LABELS, Upload, UploadStatus

from . import importing
from .reports import file_error, too_large
from .selectors import shown_errors, visible_uploads
from .throttling import UploadRateThrottle


class UploadSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    trusts = serializers.SlugRelatedField(slug_field="org_code", many=True, read_only=True)
    errors = serializers.SerializerMethodField(help_text="Each {row, column, value, message}; rows of a file "
                                                         "someone else sent are not shown to finance directors")

    class Meta:
        model = Upload
        fields = [
            "id", "uploaded_at", "uploaded_by", "source", "kind", "file_name", "sha256", "size_bytes",
            "status", "trusts", "row_count", "rows_new", "rows_changed", "rows_unchanged", "rows_skipped",
            "errors", "errors_total", "recompute_queued",
        ]

    def get_errors(self, upload) -> list[dict]:
        return shown_errors(upload, self.context["request"].user)


class UploadFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV or XLSX file in one of the formats of the upload page")


class UploadFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=list(KIND_LABELS.items()))
    status = django_filters.ChoiceFilter(choices=UploadStatus.choices)
    org_code = django_filters.CharFilter(method="filter_org_code", label="ODS code of a trust the upload touched")

    class Meta:
        model = Upload
        fields = ["kind", "status", "org_code"]

    def filter_org_code(self, queryset, name, value):
        touched = Upload.trusts.through.objects.filter(trust__org_code__iexact=value).values("upload_id")
        return queryset.filter(pk__in=touched)


class CanUpload(permissions.BasePermission):
    message = "Your account may not upload returns. Ask an administrator for the finance director or analyst role."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.has_perm("trusts.add_upload")


class UploadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Files received, and new uploads: the same checks as the upload page, all rows or none stored."""

    serializer_class = UploadSerializer
    filterset_class = UploadFilter
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, CanUpload]

    def get_queryset(self):
        return visible_uploads(user=self.request.user).prefetch_related("trusts")

    def get_throttles(self):
        throttles = super().get_throttles()
        return [*throttles, UploadRateThrottle()] if self.action == "create" else throttles

    @extend_schema(
        request={"multipart/form-data": UploadFileSerializer},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="Stored: the upload's report"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Not stored: every row error"),
        },
    )
    def create(self, request, *args, **kwargs):
        form = UploadFileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:  # refused before it is read into memory
            message = too_large(upload.size, settings.UPLOAD_MAX_BYTES)
            return Response({"ok": False, "detail": message, "errors": [file_error(message)]}, status=status.HTTP_400_BAD_REQUEST)
        result = importing.ingest(data=upload.read(), file_name=upload.name, user=request.user, source="api")
        report = result.to_dict()
        if result.ok:
            return Response(report, status=status.HTTP_201_CREATED)
        if result.status == UploadStatus.FAILED:  # our failure, not the file's: nothing was stored
            report["detail"] = "The import failed on our side and nothing was stored. Please try again in a minute."
            return Response(report, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "60"})
        count = result.errors_total
        report["detail"] = f"Nothing was stored: the file has {count:,} error{'s' if count != 1 else ''}."
        return Response(report, status=status.HTTP_400_BAD_REQUEST)
