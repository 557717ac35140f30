"""The engine on NHS England's real A&E statistics (2016-04 to 2019-03) for the acute trusts.

The quarterly 4-hour performance the engine computes for each acute trust must equal an
independent calculation from the published file with a pandas groupby.
"""
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from finance import services
from finance.models import Allocation, Entitlement, Scheme
from finance.engine import compute_entitlements
from finance.selectors import engine_inputs, scheme_rules
from performance.models import PerformanceReturn
from trusts.models import Region, Trust, Upload, UploadStatus

pytestmark = pytest.mark.django_db


def load_acute_trusts_and_ae(reference_data):
    reference = pd.read_csv(reference_data / "trusts_2016_17_reference.csv", dtype=str)
    acute = reference[reference["trust_type_derived"] == "acute"]
    regions = {
        code: Region.objects.create(code=code, name=name)
        for code, name in acute[["national_grouping_code", "national_grouping_name"]].drop_duplicates().itertuples(index=False)
    }
    Trust.objects.bulk_create([
        Trust(org_code=row.org_code, name=row.name.title(), trust_type="acute", region=regions[row.national_grouping_code])
        for row in acute.itertuples(index=False)
    ])
    trusts = dict(Trust.objects.values_list("org_code", "id"))
    ae = pd.read_csv(reference_data / "ae_attendances.csv", dtype={"org_code": str})
    ae = ae[ae["org_code"].isin(trusts)]
    monthly = ae.groupby(["org_code", "period"], as_index=False)[["attendances", "breaches"]].sum()
    upload = Upload.objects.create(kind="ae_tidy", file_name="ae_attendances.csv", sha256="0" * 64,
                                   status=UploadStatus.STORED, source="test")
    PerformanceReturn.objects.bulk_create([
        PerformanceReturn(trust_id=trusts[row.org_code], month=pd.Timestamp(row.period).date(), metric="ae",
                          numerator=int(row.attendances - row.breaches), denominator=int(row.attendances), upload=upload)
        for row in monthly.itertuples(index=False)
    ], batch_size=1000)
    for scheme in Scheme.objects.all():
        Allocation.objects.bulk_create([
            Allocation(trust_id=trust_id, scheme=scheme, stf_allocation=Decimal("1000000.00"),
                       control_total=Decimal("0.00"), control_total_accepted=True)
            for trust_id in trusts.values()
        ])
    return ae


def independent_quarters(ae):
    """Per org, financial year and quarter with all three months: within 4 hours / attendances."""
    frame = ae.copy()
    period = pd.to_datetime(frame["period"])
    frame["year"] = [f"{y}-{str(y + 1)[2:]}" for y in (period.dt.year - (period.dt.month < 4))]
    frame["quarter"] = (period.dt.month - 4) % 12 // 3 + 1
    frame["within"] = frame["attendances"] - frame["breaches"]
    grouped = frame.groupby(["org_code", "year", "quarter"]).agg(
        within=("within", "sum"), attendances=("attendances", "sum"), months=("period", "nunique"))
    return grouped[grouped["months"] == 3]


def test_quarterly_four_hour_performance_matches_the_published_file(reference_data):
    ae = load_acute_trusts_and_ae(reference_data)
    expected = independent_quarters(ae)
    assert len(expected) > 1500  # ~136 trusts x 12 quarters, less those with gaps or mergers
    codes = dict(Trust.objects.values_list("id", "org_code"))
    seen = 0
    for scheme in Scheme.objects.all():
        rules = scheme_rules(scheme)
        for result in compute_entitlements(rules, engine_inputs(rules)):
            key = (result.org_code, scheme.code, result.quarter)
            ae_row = next(m for m in result.metrics if m["metric"] == "ae")
            if key not in expected.index:
                assert ae_row["performance"] is None and "ae" not in result.performance
                continue
            row = expected.loc[key]
            assert result.performance["ae"] == (int(row["within"]), int(row["attendances"])), key
            shown = (Decimal(int(row["within"])) * 100 / Decimal(int(row["attendances"]))).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert ae_row["performance"] == str(shown), key
            seen += 1
            assert codes[result.trust_id] == result.org_code
    assert seen == len(expected)


def test_stored_records_show_the_same_figures(reference_data):
    ae = load_acute_trusts_and_ae(reference_data)
    expected = independent_quarters(ae)
    run = services.recompute(scheme=Scheme.objects.get(code="2017-18"))
    assert run.state == "done"
    stored = Entitlement.objects.filter(scheme__code="2017-18").select_related("trust")
    checked = 0
    for entitlement in stored:
        key = (entitlement.trust.org_code, "2017-18", entitlement.quarter)
        if key in expected.index:
            row = expected.loc[key]
            shown = (Decimal(int(row["within"])) * 100 / Decimal(int(row["attendances"]))).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert entitlement.detail["metrics"][0]["performance"] == str(shown)
            checked += 1
    assert checked == len(expected.xs("2017-18", level="year"))
