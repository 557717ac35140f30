"""Finance-style figures, changes and ranks, worked by hand on plain rows (no database)."""
import datetime
from decimal import Decimal

from stftracker.dashboards import trends
from stftracker.dashboards.tidy import Period

D = Decimal


def row(quarter, earned, allocation, *, withheld="0.00", pending="0.00", scheme="2016-17"):
    return {"scheme": scheme, "quarter": quarter, "earned": D(earned), "allocation": D(allocation),
            "withheld": D(withheld), "pending": D(pending)}


def test_percent_of_allocation_earned_rounds_half_up_to_two_places():
    # 218,750 / 250,000 = 87.5%; 1 / 3 = 33.333..% -> 33.33; 2 / 3 = 66.666..% -> 66.67
    assert trends.percent_earned(D("218750.00"), D("250000.00")) == D("87.50")
    assert trends.percent_earned(D("1.00"), D("3.00")) == D("33.33")
    assert trends.percent_earned(D("2.00"), D("3.00")) == D("66.67")
    # 0.125% exactly half way at the third place: half-up gives 0.13
    assert trends.percent_earned(D("1.25"), D("1000.00")) == D("0.13")
    assert trends.percent_earned(D("0.00"), D("0.00")) is None


def test_year_to_date_full_year_and_changes_from_rows():
    period = Period("2017-18", datetime.date(2017, 4, 1), 2)
    year = [row(1, "150000.00", "225000.00", withheld="75000.00", scheme="2017-18"),
            row(2, "300000.00", "300000.00", scheme="2017-18"),
            row(3, "0.00", "450000.00", pending="450000.00", scheme="2017-18")]
    earlier = trends.quarter_totals([row(2, "218750.00", "250000.00", withheld="31250.00"),
                                     row(2, "250000.00", "250000.00")])
    figures = trends.headline_figures(period, year, earlier, earlier_scheme="2016-17")
    assert figures["quarter"]["earned"] == D("300000.00") and figures["quarter"]["percent_earned"] == D("100.00")
    # Year to date Q1 + Q2: 150,000 + 300,000 = 450,000 of 225,000 + 300,000 = 525,000: 85.714..% -> 85.71
    assert figures["ytd"]["earned"] == D("450000.00") and figures["ytd"]["allocation"] == D("525000.00")
    assert figures["ytd"]["percent_earned"] == D("85.71")
    # Full year: 975,000 allocated, 450,000 earned (46.153..% -> 46.15), 450,000 pending
    assert figures["year"]["allocation"] == D("975000.00") and figures["year"]["pending"] == D("450000.00")
    assert figures["year"]["percent_earned"] == D("46.15")
    # On Q1: 300,000 − 150,000 = +150,000; 100.00% − 66.67% = +33.33 points
    on_previous = figures["on_previous"]
    assert (on_previous["label"], on_previous["earned"], on_previous["points"], on_previous["direction"]) == (
        "2017-18 Q1", D("150000.00"), D("33.33"), "up")
    # On 2016-17 Q2: 218,750 + 250,000 = 468,750 (93.75%): 300,000 − 468,750 = −168,750; +6.25 points
    last_year = figures["on_last_year"]
    assert (last_year["label"], last_year["earned"], last_year["points"], last_year["direction"]) == (
        "2016-17 Q2", D("-168750.00"), D("6.25"), "down")


def test_the_first_quarter_compares_with_the_last_quarter_of_the_year_before_or_with_nothing():
    first = Period("2017-18", datetime.date(2017, 4, 1), 1)
    figures = trends.headline_figures(first, [row(1, "100.00", "100.00", scheme="2017-18")],
                                      trends.quarter_totals([row(4, "40.00", "100.00"), row(1, "100.00", "100.00")]),
                                      earlier_scheme="2016-17")
    # 100 − 40 = +60 on 2016-17 Q4; 100 − 100 = 0 on 2016-17 Q1
    assert (figures["on_previous"]["label"], figures["on_previous"]["earned"]) == ("2016-17 Q4", D("60.00"))
    assert figures["on_last_year"]["direction"] == "unchanged"
    assert figures["ytd_label"] == "2017-18 Q1"
    none = trends.headline_figures(Period("2016-17", datetime.date(2016, 4, 1), 1), [row(1, "1.00", "1.00")], {},
                                   earlier_scheme=None)
    assert none["on_previous"] == {"available": False, "label": ""}
    assert none["on_last_year"] == {"available": False, "label": ""}


def test_ordinals():
    assert [trends.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 236)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th", "236th"]


def peer(code, earned, allocation, region="R1", trust_type="acute"):
    return {"org_code": code, "region_code": region, "region_name": f"Region {region}", "trust_type": trust_type,
            "earned": D(earned), "allocation": D(allocation)}


def test_ranks_share_a_place_on_ties_and_skip_the_places_the_tie_takes():
    rows = [
        peer("A", "90.00", "100.00"),                       # 90%
        peer("B", "180.00", "200.00"),                      # 90%: ties with A exactly
        peer("C", "95.00", "100.00", region="R2"),          # 95%: best
        peer("D", "50.00", "100.00", trust_type="specialist"),  # 50%
        peer("E", "0.00", "0.00"),                          # no allocation: not ranked
    ]
    a = trends.ranks(rows, "A")
    # Nationally C is first; A and B share second; D is fourth (third is taken by the tie); of 4.
    assert a["national"]["text"] == "joint 2nd of 4" and a["national"]["rank"] == 2
    assert trends.ranks(rows, "B")["national"]["text"] == "joint 2nd of 4"
    assert trends.ranks(rows, "D")["national"]["text"] == "4th of 4"
    assert trends.ranks(rows, "C")["national"]["text"] == "1st of 4"
    # Region R1: A, B (90%) and D (50%): A joint 1st of 3; type acute: C 95%, A and B: joint 2nd of 3
    assert a["region"]["text"] == "joint 1st of 3" and a["region"]["name"] == "Region R1"
    assert a["type"]["text"] == "joint 2nd of 3"
    assert trends.ranks(rows, "D")["type"]["text"] == "1st of 1"
    assert a["percent_earned"] == D("90.00")
    assert trends.ranks(rows, "E") is None and trends.ranks(rows, "Z") is None
