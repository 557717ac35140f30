"""Time and peak memory of the intake on hostile files, and on the largest files it accepts.

Each file (tests/security/hostile.py builds them; none is committed) is sent through
``stftracker.intake.importing.ingest`` as an analyst would send it to the API, in a fresh
subprocess with an in-memory SQLite database, which reports how long the import took and its
peak RSS growth: the process's peak resident size after the import (``resource.getrusage``) less
its resident size just before it, the file already in memory. The bound it checks: **peak RSS
growth under 200 MB for any file under UPLOAD_MAX_BYTES**, each file refused or stored with an
upload record.

    .venv/bin/python bench/intake_memory.py [--only NAME ...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BOUND_MB = 200


def rtt_sized_workbook(providers=500, functions=20, bands=60):
    """A workbook of the RTT provider workbook's size: a title block, the ``Provider Code``
    header and a row per provider and treatment function, every band filled."""
    from tests.security import hostile

    def chunks():
        yield hostile.sheet_xml([hostile.inline_row(1, ["Title: Incomplete pathways"]),
                                 hostile.inline_row(2, ["Period:", "March 2017"]),
                                 hostile.inline_row(4, ["Region Code", "Provider Code", "Provider Name",
                                                        "Treatment Function Code", "Treatment Function"]
                                                    + [f">{n}-{n + 1}" for n in range(bands)]
                                                    + ["Total number of incomplete pathways",
                                                       "Total within 18 weeks"])]).split("</sheetData>")[0].encode()
        number = 5
        for provider in range(providers):
            for function in range(functions):
                cells = ["Y56", f"R{provider:04d}", f"Provider {provider}", f"C_{function:03d}", f"Function {function}"]
                yield hostile.inline_row(number, cells + [n % 97 for n in range(bands)] + [9999, 8888]).encode()
                number += 1
        yield b"</sheetData></worksheet>"

    return hostile.xlsx(chunks(), sheet_name="Provider")


TRUSTS = 240  # the child's trust register: R0000 to R0239


def clean_national_csv(months=12):
    """A clean canonical performance file: a year of every trust's three metrics (8,640 rows)."""
    lines = ["org_code,period,metric,numerator,denominator"]
    lines += [f"R{trust:04d},{2016 + (month + 3) // 12}-{(month + 3) % 12 + 1:02d},{metric},{(trust * 7 + month) % 900},1000"
              for month in range(months) for trust in range(TRUSTS) for metric in ("ae", "rtt", "cancer62")]
    return ("\n".join(lines) + "\n").encode()


def shared_strings_at_limit(megabytes=9.5):
    """An XLSX whose shared strings part is just under its limit: ~400,000 strings of 8 letters."""
    from tests.security import hostile

    count = int(megabytes * 1024 * 1024) // len("<si><t>s0000000</t></si>")

    def chunks():
        yield f'<?xml version="1.0"?><sst xmlns="{hostile.MAIN}">'.encode()
        for start in range(0, count, 10_000):
            yield "".join(f"<si><t>s{n:07d}</t></si>" for n in range(start, min(count, start + 10_000))).encode()
        yield b"</sst>"

    sheet = hostile.sheet_xml(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    return hostile.xlsx(sheet, chunks())


def csv_at_cell_limit(rows=49_000, columns=20):
    """A CSV of ~980,000 non-empty cells of 7 digits (just under the cell limit, ~8 MB)."""
    header = ",".join(f"c{n}" for n in range(columns))
    return (header + "\n" + "".join(",".join(f"{(r * columns + c) % 9999999:07d}" for c in range(columns)) + "\n"
                                    for r in range(rows))).encode()


def cases():
    from tests.security import hostile

    return {
        "bomb_shared_string_1GiB": (hostile.bomb_shared_string, "xlsx"),
        "padded_dimension": (hostile.padded_dimension, "xlsx"),
        "dense_sheet": (lambda: hostile.dense_sheet(60_000), "xlsx"),
        "wide_dense_sheet_2M_cells": (hostile.wide_dense_sheet, "xlsx"),
        "doctype_sheet": (hostile.doctype_sheet, "xlsx"),
        "million_row_csv": (hostile.million_row_csv, "csv"),
        "bad_rows_csv_49k": (lambda: hostile.bad_rows_csv(49_000), "csv"),
        "wide_header_csv_2M_columns": (hostile.wide_header_csv, "csv"),
        "rtt_sized_workbook": (rtt_sized_workbook, "xlsx"),
        "clean_national_year_csv": (clean_national_csv, "csv"),
        "shared_strings_9_5MB": (shared_strings_at_limit, "xlsx"),
        "csv_980k_cells": (csv_at_cell_limit, "csv"),
    }


CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[2])
os.environ["DJANGO_SETTINGS_MODULE"] = "stftracker.settings"
os.environ["DATABASE_URL"] = "sqlite://:memory:"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import RegionFactory, TrustFactory, UserFactory
from stftracker.intake.importing import ingest
from trusts.models import Upload

user = UserFactory(username="bench-analyst", role="analyst")
region = RegionFactory(code="Y56", name="London")
for number in range(int(sys.argv[3])):
    TrustFactory(org_code=f"R{number:04d}", region=region)
data = open(sys.argv[1], "rb").read()

def rss_kb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

before = rss_kb()
started = time.perf_counter()
result = ingest(data=data, file_name=os.path.basename(sys.argv[1]), user=user, source="api", recompute=False)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
upload = Upload.objects.get(pk=result.upload.pk)
print(json.dumps({"seconds": elapsed, "growth_mb": max(0, peak - before) / 1024, "status": upload.status,
                  "errors_total": upload.errors_total,
                  "first_error": (upload.errors or [{"message": ""}])[0]["message"][:110]}))
"""


def run(name, build, suffix, limit_bytes):
    data = build()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.{suffix}"
        path.write_bytes(data)
        done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(ROOT), str(TRUSTS)], capture_output=True,
                              text=True, timeout=600)
    if done.returncode != 0:
        return {"name": name, "bytes": len(data), "failed": done.stderr[-2000:]}
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"name": name, "bytes": len(data), "under_limit": len(data) <= limit_bytes, **report}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="case names to run")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stftracker.settings")
    import django

    django.setup()
    from django.conf import settings

    worst = 0.0
    for name, (build, suffix) in cases().items():
        if args.only and name not in args.only:
            continue
        row = run(name, build, suffix, settings.UPLOAD_MAX_BYTES)
        if "failed" in row:
            print(f"{name:28} FAILED\n{row['failed']}")
            continue
        worst = max(worst, row["growth_mb"])
        print(f"{name:28} {row['bytes']:>11,} B  {row['seconds']:6.2f} s  peak RSS growth {row['growth_mb']:6.1f} MB  "
              f"{row['status']:9} errors {row['errors_total']:>6,}  {row['first_error']}")
    verdict = "within" if worst < BOUND_MB else "OVER"
    print(f"worst peak RSS growth {worst:.1f} MB: {verdict} the {BOUND_MB} MB bound")
    return 0 if worst < BOUND_MB else 1


if __name__ == "__main__":
    sys.exit(main())
