"""The default demo country is real England: checked against the committed reference files.

The country is loaded and recomputed once for the module (it takes a few seconds) and removed at
the end; every expected figure here is computed straight from the committed CSV files with pandas,
never from the demo's own code.
"""
import datetime
import hashlib
from decimal import Decimal

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from finance.models import Allocation, Entitlement, FinanceReturn, Scheme
from finance.selectors import engine_inputs, scheme_rules
from performance.models import PerformanceReturn, Trajectory
from stftracker.demo import DEMO_ACCOUNTS, england_country, load_demo
from stftracker.demo.loader import _wipe
from stftracker.intake.importing import ingest
from trusts.models import Footprint, Succession, Trust, Upload

pytestmark = pytest.mark.django_db
MERGED_2017 = {"RW3", "RM2"}
CLOSED_BEFORE_2016 = {"RFW", "R1G", "RJD"}


@pytest.fixture(scope="module")
def england(django_db_setup, django_db_blocker):
    from finance.services import recompute

    with django_db_blocker.unblock():
        result = load_demo()
        recompute()
        yield result
        with transaction.atomic():
            _wipe()
            get_user_model().objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).delete()


@pytest.fixture(scope="module")
def ods(reference_data):
    frame = pd.read_csv(reference_data / "ods_trusts_etr_2016.csv", dtype=str, keep_default_na=False)
    return frame[frame["country"] == "England"]


@pytest.fixture(scope="module")
def published_ae(reference_data):
    """The published file summed per organisation and month, over department types."""
    ae = pd.read_csv(reference_data / "ae_attendances.csv", dtype={"org_code": str})
    monthly = ae.groupby(["org_code", "period"], as_index=False)[["attendances", "breaches"]].sum()
    monthly["month"] = pd.to_datetime(monthly["period"]).dt.date
    monthly["within"] = monthly["attendances"] - monthly["breaches"]
    return monthly


def test_the_trusts_are_the_2016_ods_list_with_their_codes_names_and_regions(england, ods):
    trusts = {t.org_code: t for t in Trust.objects.select_related("region")}
    assert len(ods) == 236
    assert set(ods["org_code"]) == set(trusts) - {"R0A"}  # R0A was formed in 2017, from RW3 and RM2
    for row in ods.itertuples(index=False):
        trust = trusts[row.org_code]
        assert trust.name.upper() == row.name, row.org_code
        assert (trust.region.code, trust.region.name) == (row.national_grouping_code, row.national_grouping_name)
    assert {code for code, t in trusts.items() if not t.active} == CLOSED_BEFORE_2016 | MERGED_2017 | {
        "RQQ", "RGQ", "RJF", "RR1"}


def test_44_real_stp_footprints_with_the_acute_trusts_of_the_lookup(england, reference_data):
    stps = pd.read_csv(reference_data / "stps_2017_18.csv", dtype=str)
    lookup = pd.read_csv(reference_data / "trust_stp_lookup_2017_18.csv", dtype=str)
    footprints = {f.code: f for f in Footprint.objects.select_related("region")}
    assert {code: f.name for code, f in footprints.items()} == dict(zip(stps["stp_code"], stps["stp_name"]))
    assert {code: f.region.name for code, f in footprints.items()} == dict(
        zip(stps["stp_code"], stps["nhs_england_region_from_etr_2016"]))
    trusts = {t.org_code: t for t in Trust.objects.select_related("footprint")}
    for row in lookup.itertuples(index=False):
        assert trusts[row.org_code].footprint.code == row.stp_code, row.org_code
    without = [t for t in trusts.values() if t.footprint is None]
    assert {t.trust_type for t in without} >= {"mental_health", "community", "ambulance"}
    assert not [t.org_code for t in without if t.trust_type == "acute" and t.org_code not in CLOSED_BEFORE_2016]


def test_each_trusts_stored_ae_equals_the_published_monthly_sums(england, published_ae):
    stored = pd.DataFrame.from_records(
        PerformanceReturn.objects.filter(metric="ae").values_list(
            "trust__org_code", "month", "numerator", "denominator", "upload__kind", "upload__notes"),
        columns=["org_code", "month", "numerator", "denominator", "kind", "notes"])
    published = published_ae[published_ae["org_code"].isin(set(Trust.objects.values_list("org_code", flat=True)))]
    assert len(published) == 5841  # 5,823 trust-months of the 2016 list, and R0A's 18 months

    from_file = stored[stored["kind"] == "ae_tidy"]
    merged = published.merge(from_file, on=["org_code", "month"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["within"] == merged["numerator"]).all() and (merged["attendances"] == merged["denominator"]).all()
    acute = set(Trust.objects.filter(trust_type="acute").values_list("org_code", flat=True))
    assert set(from_file["org_code"]) >= acute - CLOSED_BEFORE_2016

    # Months missing from the published file are simulated, stored apart, and named as such.
    simulated = stored[stored["kind"] == "performance"]
    named = sorted(m for notes in Upload.objects.filter(kind="performance").values_list("notes", flat=True)
                   for m in notes.get("simulated_ae_months", []))
    assert sorted(f"{r.org_code} {r.month:%Y-%m}" for r in simulated.itertuples()) == named
    assert named == ["RFR 2016-11", "RHQ 2016-04", "RWH 2017-09"]
    published_keys = set(zip(published["org_code"], published["month"]))
    assert not any((r.org_code, r.month) in published_keys for r in simulated.itertuples())


def test_headline_figures_hold_to_the_penny(england):
    for year, pot in (("2016-17", "1800000000.00"), ("2017-18", "1800000000.00")):
        allocations = Allocation.objects.filter(scheme__code=year)
        assert sum(allocations.values_list("stf_allocation", flat=True)) == Decimal(pot)
    plans_2016 = Allocation.objects.filter(scheme__code="2016-17")
    assert plans_2016.filter(control_total_accepted=False).count() == 23
    assert sum(plans_2016.values_list("control_total", flat=True)) == Decimal("-580000000.00")
    assert sum(Allocation.objects.filter(scheme__code="2017-18").values_list("control_total", flat=True)) == Decimal(
        "-496000000.00")
    for year, outturn in (("2016-17", "-791000000.00"), ("2017-18", "-960000000.00")):
        march = datetime.date(int(year[:4]) + 1, 3, 1)
        assert sum(FinanceReturn.objects.current().filter(month=march).values_list("actual_ytd", flat=True)) == Decimal(
            outturn)
    # 185 of the 214 providers that signed met their plan in Q1 2016/17: 29 of ours miss it.
    q1 = Entitlement.objects.filter(scheme__code="2016-17", quarter=1)
    assert q1.filter(status="finance_failed").count() == 29
    assert q1.filter(status="no_control_total").count() == 23
    for entitlement in Entitlement.objects.filter(scheme__code="2016-17"):
        assert entitlement.earned + entitlement.withheld + entitlement.pending == entitlement.allocation


def test_closed_and_merged_trusts_hold_plans_only_while_they_exist(england):
    years = {}
    for code, year in Allocation.objects.values_list("trust__org_code", "scheme__code"):
        years.setdefault(code, set()).add(year)
    assert not CLOSED_BEFORE_2016 & set(years)
    assert years["RW3"] == years["RM2"] == years["RQQ"] == {"2016-17"}
    assert years["R0A"] == {"2017-18", "2018-19"}
    assert years["RGQ"] == years["RJF"] == years["RR1"] == {"2016-17", "2017-18"}
    links = {(s.predecessor.org_code, s.successor.org_code, s.effective_from)
             for s in Succession.objects.select_related("predecessor", "successor")}
    assert ("RW3", "R0A", datetime.date(2017, 10, 1)) in links and ("RM2", "R0A", datetime.date(2017, 10, 1)) in links


def quarter_sum(published_ae, codes, first_month):
    months = [datetime.date(first_month.year, first_month.month + k, 1) for k in range(3)]
    rows = published_ae[published_ae["org_code"].isin(codes) & published_ae["month"].isin(months)]
    return int(rows["within"].sum()), int(rows["attendances"].sum())


def test_r0a_is_judged_on_its_predecessors_figures_before_the_merger(england, published_ae):
    within, attendances = quarter_sum(published_ae, {"RW3", "RM2", "R0A"}, datetime.date(2017, 4, 1))
    assert attendances > 0 and quarter_sum(published_ae, {"R0A"}, datetime.date(2017, 4, 1)) == (0, 0)

    # 2018-19 Q1 is compared with 2017-18 Q1 of RW3 + RM2 + R0A combined.
    r0a = Trust.objects.get(org_code="R0A")
    inputs = engine_inputs(scheme_rules(Scheme.objects.get(code="2018-19")), trust_ids=[r0a.pk])
    performance = inputs.performance
    prior = performance[(performance["metric"] == "ae") & (performance["month"] >= datetime.date(2017, 4, 1))
                        & (performance["month"] < datetime.date(2017, 7, 1))]
    assert (int(prior["numerator"].sum()), int(prior["denominator"].sum())) == (within, attendances)
    assert set(prior["trust_id"]) == {r0a.pk}
    prior_percent = (Decimal(100 * within) / Decimal(attendances)).quantize(Decimal("0.01"))
    q1 = Entitlement.objects.get(trust=r0a, scheme__code="2018-19", quarter=1)
    assert any(f"{prior_percent}% in Q1 2017-18" in reason for reason in q1.detail["reasons"]), q1.detail["reasons"]

    # And its own 2017-18 Q1, before it existed, is its predecessors' quarter.
    own = Entitlement.objects.get(trust=r0a, scheme__code="2017-18", quarter=1)
    ae = next(m for m in own.detail["metrics"] if m["metric"] == "ae")
    assert ae["performance"] == str(prior_percent)


def test_the_uploads_say_which_figures_are_published_and_which_simulated(england, reference_data):
    uploads = {u.file_name: u for u in Upload.objects.all()}
    published = uploads["ae_attendances.csv"]
    assert published.kind == "ae_tidy" and published.notes["provenance"] == "published"
    assert published.sha256 == hashlib.sha256((reference_data / "ae_attendances.csv").read_bytes()).hexdigest()
    assert uploads["demo-trusts.csv"].notes["provenance"] == "published"
    simulated = {name for name, u in uploads.items() if u.notes["provenance"] == "simulated"}
    assert simulated == {f"demo-{kind}-{year}.csv" for kind in ("plans", "finance", "performance", "trajectories")
                         for year in ("2016-17", "2017-18", "2018-19")}


def test_every_page_says_what_is_published_and_what_is_simulated(england, client):
    client.force_login(get_user_model().objects.get(username="analyst"))
    for url in ("/", "/regions/", "/trusts/R0A/", "/trusts/RW3/"):
        page = client.get(url).content.decode()
        assert "Demo data." in page, url
        assert "Published statistics: trusts, regions and STP footprints; A&amp;E attendances" in page, url
        assert "Simulated, not real: allocations and control totals; monthly finance returns" in page, url
    r0a = client.get("/trusts/R0A/").content.decode()
    assert "Took over" in r0a and "/trusts/RW3/" in r0a and "/trusts/RM2/" in r0a and "1 Oct 2017" in r0a
    rw3 = client.get("/trusts/RW3/").content.decode()
    assert "Merged into" in rw3 and "/trusts/R0A/" in rw3


def test_every_file_was_imported_and_the_import_would_take_it_again_as_stored(england):
    stored_by_kind = {"plans": Allocation, "finance": FinanceReturn, "performance": PerformanceReturn,
                      "ae_tidy": PerformanceReturn, "trajectories": Trajectory}
    inactive = set(Trust.objects.filter(active=False).values_list("org_code", flat=True))
    files = {demo_file.file_name: demo_file.content for demo_file in england_country().files()}
    assert sorted(files) == sorted(Upload.objects.values_list("file_name", flat=True))
    for upload in Upload.objects.select_related("uploaded_by"):
        assert (upload.source, upload.status, upload.rows_changed, upload.recompute_queued) == (
            "demo", "stored", 0, False)
        if upload.kind == "trusts":
            assert upload.rows_new == Trust.objects.count() == 237
        else:
            assert stored_by_kind[upload.kind].objects.filter(upload=upload).count() == upload.rows_new
        result = ingest(data=files[upload.file_name], file_name=upload.file_name, user=upload.uploaded_by, commit=False)
        assert result.ok, upload.file_name
        # The trusts file has no "active" column: uploading it again would reopen the trusts gone.
        changed = len(inactive) if upload.kind == "trusts" else 0
        assert result.counts == {"new": 0, "changed": changed, "unchanged": upload.rows_new - changed,
                                 "skipped": upload.rows_skipped}, upload.file_name
    published = Upload.objects.get(kind="ae_tidy")
    assert published.rows_skipped > 0  # organisations that are no trust of the register, as any upload skips them


def test_the_published_data_is_the_same_whatever_the_seed():
    one, other = england_country(seed=1), england_country(seed=2)
    assert one.published_ae == other.published_ae
    assert [t["org_code"] for t in one.trusts] == [t["org_code"] for t in other.trusts]
    assert one.plans["2016-17"] != other.plans["2016-17"]
    again = england_country(seed=1)
    assert [f.content for f in again.files()] == [f.content for f in one.files()]


def test_no_control_total_quarters_leave_finance_unjudged(england):
    unjudged = Entitlement.objects.filter(status="no_control_total")
    # 23 refusals in 2016-17, 15 in 2017-18, 12 in 2018-19 (the demo's plans), four quarters each.
    assert unjudged.count() == (23 + 15 + 12) * 4
    assert not unjudged.exclude(finance_met=None).exists()
    assert all(e.detail["finance"]["met"] is None for e in unjudged)
    # Many of them are ahead of plan, which is no reason to say the test failed.
    ahead = [e for e in unjudged if e.detail["finance"]["ytd_actual"] is not None
             and Decimal(e.detail["finance"]["ytd_actual"]) >= Decimal(e.detail["finance"]["ytd_plan"])]
    assert ahead
    # Only an applied test is false: exactly the finance_failed quarters.
    assert set(Entitlement.objects.filter(finance_met=False).values_list("status", flat=True)) == {"finance_failed"}


def test_no_trust_with_a_nil_allocation_has_a_status_or_a_year_end_line(england):
    from finance.models import YearEndAward

    nil = set(Allocation.objects.filter(stf_allocation=0).values_list("trust_id", "scheme_id"))
    assert nil  # the demo has trusts with nothing at stake
    stored = set(Entitlement.objects.values_list("trust_id", "scheme_id"))
    assert not nil & stored
    assert not nil & set(YearEndAward.objects.values_list("trust_id", "scheme_id"))
    # Every trust in a scheme has its four quarters.
    in_scheme = set(Allocation.objects.filter(stf_allocation__gt=0).values_list("trust_id", "scheme_id"))
    assert stored == in_scheme
    assert Entitlement.objects.count() == 4 * len(in_scheme)
