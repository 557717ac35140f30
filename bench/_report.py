"""Print one figure in the form bench/run_all.py collects into its summary table."""
import json


def result(bench, case, metric, value, unit=""):
    print("RESULT " + json.dumps({"bench": bench, "case": case, "metric": metric, "value": value, "unit": unit}), flush=True)
