"""Finance-style figures, a trust's trends and its rank among its peers. Pure: no database.

- :func:`headline_figures`: a quarter's money with the % of allocation earned, the year to date
  (quarters 1 to the chosen one) and the full year, and the change in what was earned on the
  previous quarter and on the same quarter of the previous scheme year;
- :func:`trust_trends`: every quarter of every scheme for one trust, as a chart and its table;
- :func:`ranks`: a trust's place among all trusts, its region's and its trust type's on the % of
  allocation earned in the decided quarters of the year to date (ties share a rank).
"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from . import charts, tidy
from .tables import Chart

ZERO = Decimal("0.00")
HUNDREDTH = Decimal("0.01")


def percent_earned(earned, allocation):
    """What was earned as a % of the allocation, to two decimals (half-up); None without an allocation."""
    if not allocation:
        return None
    return (Decimal(earned) * 100 / Decimal(allocation)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def totals(rows):
    """Money of a set of trust-quarters with the % of allocation earned and how many rows it sums."""
    money = {field: sum((r[field] for r in rows), ZERO) for field in tidy.MONEY_FIELDS}
    return {**money, "rows": len(rows), "percent_earned": percent_earned(money["earned"], money["allocation"])}


def change(after, before, label):
    """What was earned in ``after`` against ``before`` (totals, or None when there is no earlier
    quarter): the difference, its direction in words and the change in percentage points of
    allocation earned."""
    if before is None or not before.get("rows"):
        return {"available": False, "label": label}
    difference = after["earned"] - before["earned"]
    points = None
    if after["percent_earned"] is not None and before["percent_earned"] is not None:
        points = after["percent_earned"] - before["percent_earned"]
    return {"available": True, "label": label, "earned": difference, "points": points,
            "before": before["earned"], "after": after["earned"],
            "direction": "up" if difference > 0 else "down" if difference < 0 else "unchanged"}


def previous_scheme(schemes, code):
    """The scheme year before ``code`` (schemes oldest first), or None."""
    codes = [s["code"] for s in schemes]
    index = codes.index(code) if code in codes else 0
    return codes[index - 1] if index > 0 else None


def headline_figures(period, year_rows, earlier, *, earlier_scheme):
    """The chosen quarter, the year to date and the full year of ``year_rows`` (tidy rows of the
    period's scheme), and the change on the previous quarter and on the same quarter last year.
    ``earlier``: {quarter: totals} of ``earlier_scheme`` (the scheme year before, or None)."""
    by_quarter = quarter_totals(year_rows)
    quarter = by_quarter.get(period.quarter) or totals([])
    if period.quarter > 1:
        previous = by_quarter.get(period.quarter - 1) or totals([])
        previous_label = f"{period.scheme} Q{period.quarter - 1}"
    else:
        previous = earlier.get(4) if earlier_scheme else None
        previous_label = f"{earlier_scheme} Q4" if earlier_scheme else ""
    last_year = earlier.get(period.quarter) if earlier_scheme else None
    return {
        "quarter": quarter,
        "ytd": totals([r for r in year_rows if r["quarter"] <= period.quarter]),
        "ytd_label": f"{period.scheme} Q1 to Q{period.quarter}" if period.quarter > 1 else f"{period.scheme} Q1",
        "year": totals(year_rows),
        "on_previous": change(quarter, previous, previous_label),
        "on_last_year": change(quarter, last_year, f"{earlier_scheme} Q{period.quarter}" if earlier_scheme else ""),
    }


def quarter_totals(rows):
    """{quarter: totals} of tidy rows of one scheme (what :func:`headline_figures` takes as ``earlier``)."""
    by_quarter = defaultdict(list)
    for row in rows:
        by_quarter[row["quarter"]].append(row)
    return {quarter: totals(found) for quarter, found in by_quarter.items()}


# --- A trust's trends ---------------------------------------------------------------------------

def trend_rows(schemes, rows):
    """One table row per quarter of every scheme (oldest first) for one trust's tidy ``rows``:
    status, money, withheld by reason (a column per reason any quarter has) and % earned. The
    keys are the column headings, so the CSV reads as the table does."""
    found = {(r["scheme"], r["quarter"]): r for r in rows}
    reasons = [reason for reason in charts.REASON_LABELS if any(reason in r["withheld_by_reason"] for r in rows)]
    table = []
    for scheme in schemes:
        for quarter in (1, 2, 3, 4):
            row = found.get((scheme["code"], quarter))
            out = {"Quarter": f"{scheme['code']} Q{quarter}"}
            if row is None:
                out["Status"] = "No result"
                table.append(out)
                continue
            out["Status"] = charts.STATUS_STYLE[row["status"]]["label"]
            out["Allocation"] = row["allocation"]
            out["Earned"] = row["earned"]
            for reason in reasons:
                out[f"Withheld: {charts.REASON_LABELS[reason]}"] = row["withheld_by_reason"].get(reason, ZERO)
            out["Pending"] = row["pending"]
            out["% of allocation earned"] = percent_earned(row["earned"], row["allocation"])
            table.append(out)
    columns = [("Quarter", "Quarter", "text"), ("Status", "Status", "text"), ("Allocation", "Allocation", "money"),
               ("Earned", "Earned", "money"),
               *[(f"Withheld: {charts.REASON_LABELS[r]}", f"Withheld: {charts.REASON_LABELS[r]}", "money")
                 for r in reasons],
               ("Pending", "Pending", "money"), ("% of allocation earned", "% of allocation earned", "percent")]
    return columns, table


def trust_trends(trust_name, schemes, rows):
    """The trust page's trends: earned, withheld by reason and pending in every quarter of every
    scheme, as stacked bars (``charts.reason_bars``) and the table with each quarter's status."""
    columns, table = trend_rows(schemes, rows)
    first, last = (schemes[0]["code"], schemes[-1]["code"]) if schemes else ("", "")
    span = f"{first} to {last}" if first != last else first
    return Chart(
        "trends", f"Every quarter, {span}",
        charts.reason_bars(tidy.reason_rows(rows), title=f"Earned and withheld by reason per quarter, {span}"),
        columns, table, caption=f"{trust_name}: status, money and % of allocation earned in every quarter, {span}",
        summary=f"Stacked bar chart of money earned, withheld by reason and pending in each quarter of {span}.")


# --- Ranks among peers ----------------------------------------------------------------------------

def ordinal(number):
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _rank(ratio, ratios):
    """Standard competition ranking: 1 + how many do better; ties share the rank."""
    better = sum(1 for other in ratios if other > ratio)
    tied = sum(1 for other in ratios if other == ratio) - 1
    return {"rank": better + 1, "of": len(ratios), "tied": tied,
            "text": f"{'joint ' if tied else ''}{ordinal(better + 1)} of {len(ratios)}"}


def ranks(rows, org_code):
    """Where ``org_code`` stands on the % of allocation earned. ``rows``: one per trust {org_code,
    region_code, region_name, trust_type, earned, allocation} summed over the decided quarters of
    the year to date; trusts with no allocation are not ranked. None when the trust is not ranked."""
    ratios = {r["org_code"]: Fraction(Decimal(r["earned"])) / Fraction(Decimal(r["allocation"]))
              for r in rows if r["allocation"]}
    me = next((r for r in rows if r["org_code"] == org_code), None)
    if me is None or org_code not in ratios:
        return None
    mine = ratios[org_code]
    region = [ratios[r["org_code"]] for r in rows if r["org_code"] in ratios and r["region_code"] == me["region_code"]]
    same_type = [ratios[r["org_code"]] for r in rows if r["org_code"] in ratios and r["trust_type"] == me["trust_type"]]
    return {
        "percent_earned": percent_earned(me["earned"], me["allocation"]),
        "earned": me["earned"], "allocation": me["allocation"],
        "national": _rank(mine, list(ratios.values())),
        "region": {**_rank(mine, region), "name": me["region_name"]},
        "type": {**_rank(mine, same_type), "name": me["trust_type"]},
    }
