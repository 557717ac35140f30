"""Reads for the quarterly review pack: the stored figures of one quarter in bulk, the version of
the figures a pack is built from, and the builds already made. A fixed number of queries, whatever
the number of trusts (each function says how many)."""
from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from finance import selectors as finance_selectors
from finance.models import Entitlement, InputChange, RunState, YearEndAward
from stftracker.dashboards import selectors as dashboard_selectors
from stftracker.models import PackBuild

from . import content

UNDER_WAY = (RunState.QUEUED, RunState.RUNNING)


def scheme_metrics(scheme):
    """The metrics a scheme judges (those with a weight)."""
    return [metric for metric in (scheme.weights or {})]


def trusts_in_quarter(scheme, quarter) -> int:
    """How many trusts have figures for the quarter (those in the scheme): one query."""
    return Entitlement.objects.filter(scheme=scheme, quarter=quarter).count()


def inputs_version(scheme) -> str:
    """The version of the figures a pack of ``scheme`` is built from: the newest input change and how
    many wait for a recompute (any scheme's: a change can reach this one through its comparison
    year), and when this scheme's figures and year end were last written. Two queries.

    A pack built at one version is served again while the version holds; any upload, admin edit,
    recompute or year end that changes what the pack shows changes it."""
    changes = InputChange.objects.aggregate(newest=Max("id"), waiting=Count("id", filter=Q(resolved_at__isnull=True)))
    figures = (Entitlement.objects.filter(scheme=scheme)
               .aggregate(rows=Count("id"), at=Max("computed_at")))
    year_end = YearEndAward.objects.filter(scheme=scheme).aggregate(rows=Count("id"), at=Max("computed_at"))

    def stamp(moment):
        return moment.astimezone(datetime.timezone.utc).isoformat() if moment else "never"

    return (f"changes {changes['newest'] or 0} waiting {changes['waiting']}; figures {figures['rows']} at "
            f"{stamp(figures['at'])}; year end {year_end['rows']} at {stamp(year_end['at'])}")


def finished_build(scheme, quarter, version):
    """The newest finished build of this version, with its bytes, or None: one query."""
    return (PackBuild.objects.filter(scheme=scheme, quarter=quarter, inputs_version=version, state=RunState.DONE)
            .order_by("-created_at", "-id").first())


def build_under_way(scheme, quarter, version, *, now=None):
    """A build of this version queued or running (and not abandoned), or None: one query."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.PACK_BUILD_ABANDONED_AFTER)
    return (PackBuild.objects.defer("content")
            .filter(scheme=scheme, quarter=quarter, inputs_version=version, state__in=UNDER_WAY, created_at__gte=cutoff)
            .order_by("-created_at", "-id").first())


def build_for_poll(pk):
    """A build without its bytes (with its scheme), or None: one query."""
    return PackBuild.objects.defer("content").select_related("scheme").filter(pk=pk).first()


def build_with_content(pk):
    return PackBuild.objects.select_related("scheme").filter(pk=pk).first()


def _year_end_awards(scheme):
    rows = (YearEndAward.objects.filter(scheme=scheme).order_by("trust__org_code")
            .values("trust__org_code", "trust__name", "trust__region__name", "eligible", "incentive", "bonus",
                    "general_distribution", "detail"))
    return [{"org_code": row["trust__org_code"], "trust_name": row["trust__name"],
             "region_name": row["trust__region__name"], **{key: row[key] for key in (
                 "eligible", "incentive", "bonus", "general_distribution", "detail")}} for row in rows]


def pack_data(scheme, quarter, *, now=None) -> content.Pack:
    """Everything the pack of ``scheme``'s ``quarter`` shows: the quarter's entitlements with their
    trusts and areas (one query), the scheme's year-end awards (one), data as at (one or two) and
    whether the figures are out of date (one or two)."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = dashboard_selectors.entitlement_rows(scheme=scheme.code, quarter=quarter)
    awards = _year_end_awards(scheme)
    stale = finance_selectors.staleness(year=scheme.code)
    figures = (content.FiguresState() if stale is None else
               content.FiguresState(since=stale.since.astimezone(tz), changes=stale.changes, delayed=stale.delayed))
    return content.assemble(
        scheme=scheme.code, scheme_name=scheme.name, quarter=quarter, metrics=scheme_metrics(scheme), rows=rows,
        awards=awards, year_end_method=scheme.get_year_end_method_display(),
        data_as_at=finance_selectors.data_as_at(), figures=figures, built_at=now or timezone.now(), tz=tz,
    )
