"""Run every benchmark script in bench/ and print one table of their figures.

Each script prints its own report and, for the summary, lines of the form
``RESULT {"bench": ..., "case": ..., "metric": ..., "value": ..., "unit": ...}``.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def main():
    scripts = sorted(p for p in BENCH.glob("*.py") if p.name not in {"run_all.py", "__init__.py"} and not p.name.startswith("_"))
    results, failures = [], []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for line in process.stdout:
            if line.startswith("RESULT "):
                results.append(json.loads(line[len("RESULT "):]))
            else:
                print(line, end="", flush=True)
        code = process.wait()
        elapsed = time.perf_counter() - started
        if code:
            failures.append(script.name)
        print(f"({script.name}: exit {code}, {elapsed:.1f} s)")

    print("\n" + "=" * 100)
    header = f"{'bench':<12} {'case':<44} {'metric':<22} {'value':>12} unit"
    print(header)
    print("-" * len(header))
    for row in results:
        value = row["value"]
        shown = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)
        print(f"{row['bench']:<12} {row['case'][:44]:<44} {row['metric']:<22} {shown:>12} {row.get('unit', '')}")
    if failures:
        print(f"\nFailed: {', '.join(failures)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
