"""The quarterly review pack: the API (``/api/v1/packs/...``) and the page that follows a build.

``GET /api/v1/packs/{year}/Q{quarter}.xlsx`` answers the workbook (200) when it is ready at once:
built before from the same figures, or small enough to build in the request
(``PACK_INLINE_MAX_TRUSTS``); otherwise ``202 Accepted`` with the build (``id``, ``state``,
``progress``, ``url``) and ``Location: /api/v1/packs/builds/<id>/``, which the client polls until
its ``download`` URL is given. ``/packs/<year>/Q<n>/`` is the same for a browser: a page that
refreshes itself until the pack can be downloaded. Analysts (and admins) only: the pack is the
national view with every trust's figures side by side.
"""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import and_join
from common.exports import XLSX_CONTENT_TYPE
from finance.eligibility import iso_utc
from finance.models import RunState, Scheme
from trusts.roles import is_analyst

from . import dispatch, selectors, services

ANALYSTS_ONLY = "The national review pack is for analysts."


# --- Shared by the API and the page -------------------------------------------------------------

def scheme_and_quarter(year, quarter):
    """The scheme of ``year`` and the quarter number, or a message saying why there is none."""
    schemes = {scheme.code: scheme for scheme in Scheme.objects.order_by("start_date")}
    if year not in schemes:
        return None, None, f"There is no scheme {year}: the schemes are {and_join(schemes) or 'none yet'}."
    if str(quarter) not in ("1", "2", "3", "4"):
        return None, None, f"There is no quarter Q{quarter}: a quarter is Q1, Q2, Q3 or Q4."
    return schemes[year], int(quarter), ""


def xlsx_download(build):
    response = HttpResponse(bytes(build.content), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pack_filename(build)}"'
    response["ETag"] = f'"{build.sha256}"'
    return response


def pack_filename(build):
    return f"stf-review-pack-{build.scheme.code}-Q{build.quarter}.xlsx"


def build_record(build, request):
    """A build as the API gives it: the poll ``url`` always, the ``download`` URL once it is done."""
    done = build.state == RunState.DONE
    return {
        "id": build.pk,
        "year": build.scheme.code,
        "quarter": build.quarter,
        "state": build.state,
        "progress": {"done": build.progress_done, "total": build.progress_total},
        "url": request.build_absolute_uri(reverse("api-pack-build", args=[build.pk])),
        "download": request.build_absolute_uri(reverse("api-pack-download", args=[build.pk])) if done else None,
        "message": build.message,
        "size": build.size if done else None,
        "sha256": build.sha256 if done else None,
        "created_at": iso_utc(build.created_at),
        "finished_at": iso_utc(build.finished_at),
    }


# --- API ---------------------------------------------------------------------------------------

class JSONUnlessWorkbook(DefaultContentNegotiation):
    """Answers that are not the workbook are JSON, even to a client that asked only for xlsx."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(min_value=0, help_text="Rows of the workbook written")
    total = serializers.IntegerField(min_value=0, help_text="Rows to write (0 until the build has started)")


class PackBuildSerializer(serializers.Serializer):
    """Documents a pack build; the answers come from ``build_record``."""

    id = serializers.IntegerField()
    year = serializers.CharField(help_text="Scheme year, e.g. 2016-17")
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    state = serializers.ChoiceField(choices=RunState.choices)
    progress = ProgressSerializer()
    url = serializers.URLField(help_text="Poll this for the build's state")
    download = serializers.URLField(allow_null=True, help_text="The workbook, once the state is done")
    message = serializers.CharField(allow_blank=True, help_text="Why the build failed, when it did")
    size = serializers.IntegerField(allow_null=True, help_text="Bytes of the workbook, once done")
    sha256 = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


XLSX_RESPONSE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description='The workbook, as an attachment: Content-Disposition: attachment; '
                'filename="stf-review-pack-2016-17-Q2.xlsx"',
)
ERRORS = {
    403: OpenApiResponse(ErrorSerializer, description=ANALYSTS_ONLY),
    404: OpenApiResponse(ErrorSerializer, description="No such scheme, quarter or build, or no figures for the quarter"),
}


class PackApiView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONUnlessWorkbook

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_analyst(request.user):
            raise exceptions.PermissionDenied(ANALYSTS_ONLY)


class PackView(PackApiView):
    """The quarterly review pack of a scheme's quarter, as an Excel workbook.

    Sheets: Summary (national allocation, earned, withheld and pending and their check, withheld
    by reason, trusts by status, data as at, whether the figures are current), Regions,
    Footprints, Trusts (every trust in the scheme, each test and its reasons) and, once the
    scheme's year end is decided, Year end. Answered at once (200) when a pack of the same figures
    was built before or the quarter has at most ``PACK_INLINE_MAX_TRUSTS`` trusts; otherwise 202
    with the build to poll (``Location``). Analysts only.
    """

    @extend_schema(
        operation_id="pack_retrieve",
        parameters=[
            OpenApiParameter("year", str, OpenApiParameter.PATH, description="Scheme year, e.g. 2016-17"),
            OpenApiParameter("quarter", int, OpenApiParameter.PATH, description="Quarter of the financial year, 1 to 4"),
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): XLSX_RESPONSE,
            (202, "application/json"): OpenApiResponse(
                PackBuildSerializer, description="The pack is being built: poll the Location (the build's url)"),
            **ERRORS,
        },
    )
    def get(self, request, year, quarter):
        scheme, quarter, problem = scheme_and_quarter(year, quarter)
        if problem:
            raise exceptions.NotFound(problem)
        try:
            asked = services.request_pack(scheme=scheme, quarter=quarter, user=request.user,
                                          queue=dispatch.queue_build)
        except services.NoFigures as error:
            raise exceptions.NotFound(str(error)) from None
        if asked.ready and not asked.queued:
            return xlsx_download(asked.build)
        response = Response(build_record(asked.build, request), status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api-pack-build", args=[asked.build.pk])
        return response


class PackBuildView(PackApiView):
    """A pack build's state (queued, running, done, failed) and progress; its ``download`` URL once done."""

    @extend_schema(operation_id="pack_build_retrieve", responses={200: PackBuildSerializer, **ERRORS})
    def get(self, request, pk):
        build = selectors.build_for_poll(pk)
        if build is None:
            raise exceptions.NotFound(f"There is no pack build {pk} (a superseded build is removed).")
        return Response(build_record(build, request))


class PackDownloadView(PackApiView):
    """The workbook of a finished pack build (409 while it is still being built or if it failed)."""

    @extend_schema(
        operation_id="pack_build_download",
        responses={(200, XLSX_CONTENT_TYPE): XLSX_RESPONSE,
                   409: OpenApiResponse(ErrorSerializer, description="The build has not finished"), **ERRORS},
    )
    def get(self, request, pk):
        build = selectors.build_with_content(pk)
        if build is None:
            raise exceptions.NotFound(f"There is no pack build {pk} (a superseded build is removed).")
        if build.state != RunState.DONE:
            detail = (f"Pack build {pk} failed: {build.message}" if build.state == RunState.FAILED
                      else f"Pack build {pk} is {build.state}: poll {reverse('api-pack-build', args=[pk])} until it is done.")
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        return xlsx_download(build)


# --- The page ----------------------------------------------------------------------------------

@login_required
@require_GET
def pack_page(request, year, quarter):
    """Ask for the pack and follow its build: the page refreshes itself until the download is offered."""
    if not is_analyst(request.user):
        raise PermissionDenied(ANALYSTS_ONLY)
    scheme, number, problem = scheme_and_quarter(year, quarter)
    context = {"title": f"Review pack, {year} Q{quarter}", "year": year, "quarter": quarter, "problem": problem}
    if not problem:
        try:
            asked = services.request_pack(scheme=scheme, quarter=number, user=request.user,
                                          queue=dispatch.queue_build)
        except services.NoFigures as error:
            problem = context["problem"] = str(error)
        else:
            build = asked.build
            context.update(
                build=build, filename=pack_filename(build), refresh=build.state in selectors.UNDER_WAY,
                download=reverse("api-pack-download", args=[build.pk]) if build.state == RunState.DONE else None,
                percent=round(100 * build.progress_done / build.progress_total) if build.progress_total else None,
            )
    return render(request, "packs/pack.html", context, status=404 if problem else 200)
