"""The chase list (finance/chase.py): due dates counted in working days, outstanding and late
returns, the money each holds pending, mergers, a finance director's scope and the queries.

Every due date here was counted by hand on a calendar of England's bank holidays."""
import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finance import chase
from tests.builders import allocate, finance_return, quarter_months, recompute
from tests.factories import (
    FinanceReturnFactory, PerformanceReturnFactory, TrustFactory, UploadFactory, scheme,
)
from trusts.models import Succession

date = datetime.date


# --- Due dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("month", "working_day", "due", "why"), [
    (date(2016, 4, 1), 8, date(2016, 5, 12), "April ends on a Saturday; Monday 2 May is the May Day holiday"),
    (date(2018, 9, 1), 8, date(2018, 10, 10), "September ends on a Sunday: 1 October is working day 1"),
    (date(2018, 3, 1), 8, date(2018, 4, 12), "March ends on a Saturday; Monday 2 April is Easter Monday"),
    (date(2016, 2, 1), 20, date(2016, 3, 30), "Good Friday 25 March and Easter Monday 28 March are skipped"),
    (date(2019, 3, 1), 15, date(2019, 4, 23), "Good Friday 19 April and Easter Monday 22 April are skipped"),
    (date(2016, 11, 1), 18, date(2016, 12, 28), "Boxing Day Monday 26 and Christmas' substitute Tuesday 27"),
    (date(2016, 12, 1), 8, date(2017, 1, 12), "1 January 2017 is a Sunday: its substitute is Monday 2 January"),
    (date(2021, 11, 1), 19, date(2021, 12, 29), "Christmas and Boxing Day at a weekend: substitutes 27 and 28"),
    (date(2016, 7, 1), 1, date(2016, 8, 1), "July ends on a Sunday; Monday 1 August is a working day in England"),
    (date(2016, 6, 15), 1, date(2016, 7, 1), "any day of the month names the month"),
])
def test_due_date_counts_working_days_after_the_month_ends(month, working_day, due, why):
    assert chase.due_date(month, working_day) == due, why


def test_due_dates_of_every_return_of_a_quarter():
    # Q2 2016-17 with the default due days: finance 8, A&E 10, RTT and cancer 30. August 2016
    # has the late summer holiday on Monday 29th.
    assert [chase.due_date(date(2016, m, 1), 8) for m in (7, 8, 9)] == [date(2016, 8, 10), date(2016, 9, 12),
                                                                         date(2016, 10, 12)]
    assert chase.due_date(date(2016, 7, 1), 10) == date(2016, 8, 12)
    assert chase.due_date(date(2016, 7, 1), 30) == date(2016, 9, 12)
    assert chase.due_date(date(2016, 4, 1), 30) == date(2016, 6, 14)  # Spring holiday 30 May skipped


def test_the_bank_holidays_are_a_setting(settings):
    # Scotland's 2 and 3 January 2017 are both holidays; England's 3 January is a working day.
    assert chase.due_date(date(2016, 12, 1), 1) == date(2017, 1, 3)
    settings.BANK_HOLIDAYS_SUBDIVISION = "SCT"
    assert chase.due_date(date(2016, 12, 1), 1) == date(2017, 1, 4)
    # ... and 1 August 2016 is Scotland's summer holiday.
    assert chase.due_date(date(2016, 7, 1), 1) == date(2016, 8, 2)


@pytest.mark.parametrize("bad", [0, -1, True, "8", 1.5])
def test_a_due_day_is_a_positive_whole_number(bad):
    with pytest.raises(ValueError, match="whole number of working days"):
        chase.due_date(date(2016, 4, 1), bad)


# --- States --------------------------------------------------------------------------------------


def keys(items):
    return {(item.org_code, item.kind, item.month) for item in items}


@pytest.fixture
def acute(db):
    trust = TrustFactory(org_code="RACU", name="Acute Hospitals NHS Trust")
    allocate(trust)
    return trust


@pytest.mark.django_db
def test_a_return_is_outstanding_on_its_due_date_and_late_the_day_after(acute):
    on_due = chase.chase_list("2016-17", 1, as_of=date(2016, 5, 12)).items
    april_finance = [i for i in on_due if i.kind == "finance"]
    assert [(i.month, i.due, i.state, i.days_late) for i in april_finance] == [
        (date(2016, 4, 1), date(2016, 5, 12), "outstanding", 0)]
    after = chase.chase_list("2016-17", 1, as_of=date(2016, 5, 13)).items
    april_finance = [i for i in after if i.kind == "finance"]
    assert [(i.state, i.days_late) for i in april_finance] == [("late", 1)]
    # A&E of April is due on 16 May (working day 10), RTT and cancer on 14 June (working day 30).
    april = {i.kind: (i.due, i.state) for i in after}
    assert april == {"finance": (date(2016, 5, 12), "late"), "ae": (date(2016, 5, 16), "outstanding"),
                     "rtt": (date(2016, 6, 14), "outstanding"), "cancer62": (date(2016, 6, 14), "outstanding")}


@pytest.mark.django_db
def test_months_not_yet_ended_are_not_listed(acute):
    assert keys(chase.chase_list("2016-17", 1, as_of=date(2016, 4, 30)).items) == set()
    assert {i.month for i in chase.chase_list("2016-17", 1, as_of=date(2016, 5, 31)).items} == {date(2016, 4, 1)}
    assert {i.month for i in chase.chase_list("2016-17", 1, as_of=date(2016, 6, 1)).items} == {
        date(2016, 4, 1), date(2016, 5, 1)}


@pytest.mark.django_db
def test_a_return_that_has_arrived_is_not_chased_but_a_superseded_one_alone_would_be(acute):
    upload = UploadFactory()
    FinanceReturnFactory(trust=acute, month=date(2016, 4, 1), upload=upload)
    PerformanceReturnFactory(trust=acute, month=date(2016, 4, 1), metric="ae", upload=upload)
    PerformanceReturnFactory(trust=acute, month=date(2016, 4, 1), metric="rtt", upload=upload, is_current=False)
    items = chase.chase_list("2016-17", 1, as_of=date(2016, 5, 1)).items
    assert keys(items) == {("RACU", "rtt", date(2016, 4, 1)), ("RACU", "cancer62", date(2016, 4, 1))}


@pytest.mark.django_db
def test_each_trust_is_chased_for_the_returns_its_type_is_judged_on_and_only_in_the_scheme(acute):
    mental = TrustFactory(org_code="RMEN", trust_type="mental_health")
    allocate(mental)
    outside = TrustFactory(org_code="RZERO")
    allocate(outside, allocation="0.00")
    TrustFactory(org_code="RNONE")  # no allocation at all
    items = chase.chase_list("2016-17", 1, as_of=date(2016, 5, 1)).items
    april = date(2016, 4, 1)
    assert keys(items) == {("RACU", kind, april) for kind in ("finance", "ae", "rtt", "cancer62")} | {
        ("RMEN", "finance", april)}
    # Under 2017-18 an acute trust is judged on A&E only.
    allocate(acute, year="2017-18")
    items = chase.chase_list("2017-18", 1, as_of=date(2017, 5, 1)).items
    assert keys(items) == {("RACU", "finance", date(2017, 4, 1)), ("RACU", "ae", date(2017, 4, 1))}


@pytest.mark.django_db
def test_a_return_without_a_due_day_in_the_scheme_is_not_chased(acute):
    fund = scheme("2016-17")
    fund.returns_due = {"finance": 8, "ae": 10}
    fund.save()
    items = chase.chase_list("2016-17", 1, as_of=date(2016, 5, 1)).items
    assert {i.kind for i in items} == {"finance", "ae"}


# --- Pending money -----------------------------------------------------------------------------

# An allocation of £123,456.78 a year: Q2 (25%) is 12,345,678p × 0.25 = 3,086,419.5p, rounded half-up
# to £30,864.20; A&E and RTT 12.5% of it, 385,802.5p -> £3,858.03 each; cancer 5%, 154,321p ->
# £1,543.21; finance the rest, 3,086,420 - 2 × 385,803 - 154,321 = 2,160,493p -> £21,604.93.
ODD_ALLOCATION = "123456.78"
QUARTER, AE, CANCER = D("30864.20"), D("3858.03"), D("1543.21")


def performance(trust, months, metrics, upload):
    for month in months:
        for metric in metrics:
            PerformanceReturnFactory(trust=trust, month=month, metric=metric, numerator=96, denominator=100,
                                     upload=upload)


@pytest.fixture
def odd(db):
    trust = TrustFactory(org_code="RODD", name="Odd Pennies NHS Trust")
    allocate(trust, allocation=ODD_ALLOCATION)
    return trust


def money(items):
    return {(i.kind, i.month.month): i.pending_money for i in items}


@pytest.mark.django_db
def test_a_missing_last_finance_return_holds_the_whole_quarter(odd):
    upload = UploadFactory()
    jul, aug, sep = quarter_months(2)
    performance(odd, [jul, aug], ["ae", "rtt", "cancer62"], upload)  # September's performance missing too
    recompute("2016-17")
    items = chase.chase_list("2016-17", 2, as_of=date(2016, 12, 1)).items
    assert money(items) == {
        ("finance", 7): D("0.00"), ("finance", 8): D("0.00"), ("finance", 9): QUARTER,
        ("ae", 9): D("0.00"), ("rtt", 9): D("0.00"), ("cancer62", 9): D("0.00"),
    }
    assert sum(i.pending_money for i in items) == D("30864.20")
    assert odd.entitlements.get(quarter=2).pending == D("30864.20")


@pytest.mark.django_db
def test_a_missing_metric_month_holds_its_element_once_finance_is_met(odd):
    upload = UploadFactory()
    jul, aug, sep = quarter_months(2)
    finance_return(odd, 2, upload=upload)  # September: £100,000.00 ahead of plan
    performance(odd, [jul], ["ae"], upload)  # A&E lacks August and September
    performance(odd, [jul, aug, sep], ["rtt"], upload)
    performance(odd, [aug, sep], ["cancer62"], upload)  # cancer lacks July
    recompute("2016-17")
    items = chase.chase_list("2016-17", 2, as_of=date(2016, 12, 1)).items
    assert money(items) == {
        ("finance", 7): D("0.00"), ("finance", 8): D("0.00"),
        ("ae", 8): AE, ("ae", 9): D("0.00"),  # the earliest missing month holds the element
        ("cancer62", 7): CANCER,
    }
    total = sum(i.pending_money for i in items)
    assert total == D("3858.03") + D("1543.21") == D("5401.24")
    assert odd.entitlements.get(quarter=2).pending == total


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["finance_failed", "no_control_total"])
def test_nothing_is_pending_when_the_quarter_is_withheld(db, case):
    trust = TrustFactory(org_code="RWHD")
    allocate(trust, allocation=ODD_ALLOCATION, accepted=case != "no_control_total")
    upload = UploadFactory()
    finance_return(trust, 2, actual="-650000.00" if case == "finance_failed" else "-400000.00", upload=upload)
    recompute("2016-17")
    items = chase.chase_list("2016-17", 2, as_of=date(2016, 12, 1)).items
    assert len(items) == 2 + 9  # July and August finance; three metrics by three months
    assert {i.pending_money for i in items} == {D("0.00")}
    assert trust.entitlements.get(quarter=2).status == case


@pytest.mark.django_db
def test_before_the_figures_are_computed_nothing_is_counted_pending(odd):
    items = chase.chase_list("2016-17", 2, as_of=date(2016, 12, 1)).items
    assert len(items) == 12 and {i.pending_money for i in items} == {D("0.00")}


@pytest.mark.django_db
def test_the_summary_counts_and_adds_up_the_list(odd, acute):
    recompute("2016-17")
    # 12 October 2016: July and August's returns are late (finance due 10 Aug and 12 Sep, A&E 12 Aug
    # and 14 Sep, RTT and cancer 12 Sep and 12 Oct, so August's are not late yet); September's are
    # all outstanding.
    found = chase.chase_list("2016-17", 2, as_of=date(2016, 10, 12))
    late = {(i.kind, i.month.month) for i in found.items if i.state == "late"}
    assert late == {("finance", 7), ("finance", 8), ("ae", 7), ("ae", 8), ("rtt", 7), ("cancer62", 7)}
    assert found.late == 2 * 6 and found.outstanding == 2 * 6
    # Each trust's September finance return holds its whole quarter: £30,864.20 and £250,000.00.
    assert found.pending_money == D("30864.20") + D("250000.00")
    assert found.filtered(kind="ae", state="late").late == 4
    assert found.filtered(region=acute.region.code).pending_money == D("250000.00")


# --- Mergers -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dissolved_trust_is_not_chased_and_its_months_count_for_its_successor(db):
    successor = TrustFactory(org_code="RSUC")
    predecessor = TrustFactory(org_code="RPRE", region=successor.region, footprint=successor.footprint)
    allocate(successor)
    allocate(predecessor)
    Succession.objects.create(predecessor=predecessor, successor=successor, effective_from=date(2016, 6, 1))
    upload = UploadFactory()
    # The predecessor's A&E of April and May counts as the successor's (as the engine judges it);
    # its June row would not, June being the successor's own month.
    performance(predecessor, [date(2016, 4, 1), date(2016, 5, 1), date(2016, 6, 1)], ["ae"], upload)
    items = chase.chase_list("2016-17", 1, as_of=date(2016, 7, 1)).items
    mine = keys(i for i in items if i.org_code == "RSUC")
    assert ("RSUC", "ae", date(2016, 4, 1)) not in mine and ("RSUC", "ae", date(2016, 5, 1)) not in mine
    assert ("RSUC", "ae", date(2016, 6, 1)) in mine
    assert ("RSUC", "finance", date(2016, 4, 1)) in mine  # finance is each trust's own
    theirs = {i.month for i in items if i.org_code == "RPRE"}
    assert theirs == {date(2016, 4, 1), date(2016, 5, 1)}  # dissolved from June: not chased for it


# --- Who sees what ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_finance_director_s_list_holds_only_their_trusts(director, home_trust, other_trust):
    allocate(home_trust)
    allocate(other_trust)
    from trusts.roles import directed_trust_ids

    items = chase.chase_list("2016-17", 1, trust_ids=directed_trust_ids(director), as_of=date(2016, 7, 1)).items
    assert {i.org_code for i in items} == {"RHOME"}
    assert len(items) == 4 * 3
    everyone = chase.chase_list("2016-17", 1, as_of=date(2016, 7, 1)).items
    assert {i.org_code for i in everyone} == {"RHOME", "ROTHR"}


@pytest.mark.django_db
def test_a_trusts_due_dates_include_what_arrived_and_when(acute):
    upload = UploadFactory()
    row = FinanceReturnFactory(trust=acute, month=date(2016, 4, 1), upload=upload)
    rows = chase.trust_due_dates(acute, "2016-17", 1, as_of=date(2016, 5, 13))
    finance = [(r.month.month, r.state, r.received_on) for r in rows if r.kind == "finance"]
    assert finance == [(4, "received", timezone.localdate(row.created_at)),
                       (5, "not_ended", None), (6, "not_ended", None)]
    assert len(rows) == 4 * 3


# --- Default period ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2018, 11, 1), ("2018-19", 3)),  # October has ended
    (date(2018, 10, 31), ("2018-19", 2)),
    (date(2026, 12, 3), ("2018-19", 4)),
    (date(2016, 5, 1), ("2016-17", 1)),
])
def test_the_default_quarter_is_the_latest_with_anything_due(as_of, expected):
    assert chase.default_period(as_of=as_of) == expected


# --- Queries ---------------------------------------------------------------------------------------


def country(count):
    upload = UploadFactory()
    for n in range(count):
        trust = TrustFactory(org_code=f"RQ{n:03d}")
        allocate(trust)
        FinanceReturnFactory(trust=trust, month=date(2016, 4, 1), upload=upload)
        performance(trust, [date(2016, 4, 1)], ["ae"], upload)
    recompute("2016-17")


def count_queries(**kwargs):
    fund = scheme("2016-17")
    with CaptureQueriesContext(connection) as captured:
        found = chase.chase_list(fund, 1, as_of=date(2016, 7, 1), **kwargs)
    return len(captured), found


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_trusts():
    country(3)
    three, found = count_queries()
    assert len(found.items) == 3 * (4 * 3 - 2)
    country_more = 27
    from trusts.models import Trust

    upload = UploadFactory()
    for n in range(country_more):
        trust = TrustFactory(org_code=f"RX{n:03d}")
        allocate(trust)
        FinanceReturnFactory(trust=trust, month=date(2016, 4, 1), upload=upload)
    recompute("2016-17")
    thirty, found = count_queries()
    assert Trust.objects.count() == 30 and len(found.items) == 3 * 10 + 27 * 11
    assert thirty == three <= 5  # allocations, mergers, finance, performance, entitlements
    ids = list(Trust.objects.values_list("pk", flat=True)[:20])
    some, found = count_queries(trust_ids=ids)
    assert some == three and {i.trust_id for i in found.items} == set(ids)


# --- The demo's half-way 2018-19 ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_chase_list_of_the_demos_half_way_2018_19_is_the_months_it_left_missing():
    """The smallest demo country (synthetic, scale 0.1, under a second to load): its 2018-19 has
    returns for the first MONTHS_RECEIVED months only. Each quarter's chase list, on a day when the
    whole year has ended, equals every in-scheme trust x the returns its type is judged on x month,
    minus the rows the demo stored, worked out here from the tables themselves."""
    from finance.models import Allocation, Entitlement, FinanceReturn
    from performance.models import PerformanceReturn
    from stftracker.demo import MONTHS_RECEIVED, load_demo

    load_demo(scale=0.1)
    recompute("2018-19")
    assert not Succession.objects.exists()  # the synthetic country has no mergers to follow
    fund = scheme("2018-19")
    as_of = date(2019, 6, 1)
    members = list(Allocation.objects.filter(scheme=fund, stf_allocation__gt=0)
                   .values_list("trust__org_code", "trust__trust_type"))
    assert len(members) >= 10
    finance_in = set(FinanceReturn.objects.current().values_list("trust__org_code", "month"))
    performance_in = set(PerformanceReturn.objects.current().values_list("trust__org_code", "month", "metric"))
    pending = {(code, q): p for code, q, p in Entitlement.objects.filter(scheme=fund)
               .values_list("trust__org_code", "quarter", "pending")}
    everything = set()
    for quarter in (1, 2, 3, 4):
        months = quarter_months(quarter, "2018-19")
        expected = set()
        for code, trust_type in members:
            for kind in ["finance", *fund.applicability[trust_type]]:
                for month in months:
                    arrived = (code, month) in finance_in if kind == "finance" else (code, month, kind) in performance_in
                    if not arrived:
                        expected.add((code, kind, month))
        found = chase.chase_list(fund, quarter, as_of=as_of)
        assert keys(found.items) == expected, quarter
        assert {item.state for item in found.items} <= {"late"}  # a year on, everything missing is late
        everything |= expected
        # Money: never more than a trust-quarter holds pending; with September's (or March's)
        # finance return missing, exactly the quarter's pending.
        for code, _ in members:
            held = sum((i.pending_money for i in found.items if i.org_code == code), D("0.00"))
            assert held <= pending[(code, quarter)]
            if quarter in (3, 4):
                assert held == pending[(code, quarter)]
    received = MONTHS_RECEIVED["2018-19"]
    assert received == 6
    missing_finance = {month for _, kind, month in everything if kind == "finance"}
    assert missing_finance == set(quarter_months(3, "2018-19") + quarter_months(4, "2018-19"))
    # After September nothing was sent: every member is chased for every return of every month.
    later = {(c, k, m) for c, k, m in everything if m >= date(2018, 10, 1)}
    assert len(later) == sum(3 * 2 * (1 + len(fund.applicability[t])) for _, t in members)
