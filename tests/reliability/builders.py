"""Small national data sets for the reliability tests, as the CSV files users upload, and
:func:`load_country`, which uploads them through the intake (the reliability tests share their
database with real workers, so the data goes in as users send it)."""
import csv
import io

REGION = "Reliability Region"


def csv_bytes(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def org_codes(count, prefix="RL"):
    return [f"{prefix}{n:03d}" for n in range(count)]


def trusts_csv(codes):
    return csv_bytes(
        ["org_code", "name", "trust_type", "region", "footprint"],
        [[code, f"Reliability Hospitals {code} NHS Trust", "acute", REGION, ""] for code in codes],
    )


def plans_csv(codes, *, year="2016-17", allocation=1_200_000, control_total=-500_000):
    return csv_bytes(
        ["org_code", "year", "stf_allocation", "control_total", "control_total_accepted"],
        [[code, year, allocation, control_total, "yes"] for code in codes],
    )


def finance_csv(rows):
    """rows: (org_code, "YYYY-MM", plan_ytd, actual_ytd)."""
    return csv_bytes(
        ["org_code", "period", "plan_ytd", "actual_ytd", "forecast_outturn"],
        [[code, period, plan, actual, -1_000_000] for code, period, plan, actual in rows],
    )


def performance_csv(rows):
    """rows: (org_code, "YYYY-MM", metric, numerator, denominator)."""
    return csv_bytes(["org_code", "period", "metric", "numerator", "denominator"], rows)


def quarter_one_files(codes, *, failing=(), finance_months=3):
    """Finance and A&E/RTT/cancer returns for April-June 2016 (finance for the first
    ``finance_months`` of them only); trusts in ``failing`` miss the finance test in June (actual
    below plan)."""
    months = ["2016-04", "2016-05", "2016-06"]
    finance = []
    performance = []
    for code in codes:
        for index, month in enumerate(months, start=1):
            plan = -100_000 * index
            actual = plan - 50_000 if (code in failing and month == "2016-06") else plan + 10_000
            if index <= finance_months:
                finance.append((code, month, plan, actual))
            performance += [(code, month, "ae", 9_600, 10_000), (code, month, "rtt", 930, 1_000),
                            (code, month, "cancer62", 90, 100)]
    return finance_csv(finance), performance_csv(performance)


def load_country(user, codes, *, years=("2016-17",), failing=(), finance_months=3):
    """Upload, as ``user``, the trusts ``codes``, their plans for each of ``years`` (£1,200,000.00 a
    year) and April-June 2016's returns (see :func:`quarter_one_files`); each upload recomputes
    in-process."""
    from stftracker.intake.importing import ingest

    finance, performance = quarter_one_files(codes, failing=failing, finance_months=finance_months)
    files = [("trusts.csv", trusts_csv(codes))]
    files += [(f"plans-{year}.csv", plans_csv(codes, year=year)) for year in years]
    files += [("finance.csv", finance), ("performance.csv", performance)]
    for name, data in files:
        result = ingest(data=data, file_name=name, user=user)
        assert result.ok, result.errors
