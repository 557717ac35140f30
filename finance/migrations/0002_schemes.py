"""The 2016-17, 2017-18 and 2018-19 schemes of RULES.md, as data an analyst can change."""
import datetime
from decimal import Decimal

from django.db import migrations

ALL_TYPES = ["acute", "specialist", "mental_health", "community", "ambulance"]
CHECKED_BY = "STF Tracker domain brief (RULES.md), checked against the sources it cites"
REVIEWED_ON = datetime.date(2026, 11, 25)

SCHEMES = [
    {
        "code": "2016-17",
        "name": "Sustainability and Transformation Fund 2016/17",
        "start_date": datetime.date(2016, 4, 1),
        "pot": Decimal("1800000000.00"),
        "weights": {"ae": "12.5", "rtt": "12.5", "cancer62": "5"},
        "standards": {"ae": "95", "rtt": "92", "cancer62": "85"},
        "phasing": ["25", "25", "25", "25"],
        "applicability": {
            "acute": ["ae", "rtt", "cancer62"],
            "specialist": ["rtt", "cancer62"],
            "mental_health": [],
            "community": [],
            "ambulance": [],
        },
        "rule_variant": "trajectory_or_standard",
        "q1_paid_on_trajectory": True,
        "has_year_end": True,
        "source_document": (
            "NHS Improvement, 'Strengthening financial performance & accountability in 2016/17' "
            "(July 2016), Annex I and J; HFMA 'STF access criteria outlined' (7 July 2016)"
        ),
        "notes": "Quarterly phasing equal (our choice). Year-end incentive £1 for £1 and bonus pro rata.",
    },
    {
        "code": "2017-18",
        "name": "Sustainability and Transformation Fund 2017/18",
        "start_date": datetime.date(2017, 4, 1),
        "pot": Decimal("1800000000.00"),
        "weights": {"ae": "30"},
        "standards": {"ae": "95"},
        "phasing": ["15", "20", "30", "35"],
        "applicability": {t: (["ae"] if t == "acute" else []) for t in ALL_TYPES},
        "rule_variant": "trajectory_or_standard",
        "q1_paid_on_trajectory": False,
        "has_year_end": False,
        "source_document": (
            "NHS Improvement, 'The Sustainability and Transformation Fund and financial control totals "
            "for 2017/18 and 2018/19: guidance' (September 2017)"
        ),
        "notes": "A&E only from April 2017; A&E ambition 90% aggregate by September 2017.",
    },
    {
        "code": "2018-19",
        "name": "Provider Sustainability Fund 2018/19",
        "start_date": datetime.date(2018, 4, 1),
        "pot": Decimal("2450000000.00"),
        "weights": {"ae": "30"},
        "standards": {"ae": "90"},
        "phasing": ["15", "20", "30", "35"],
        "applicability": {t: (["ae"] if t == "acute" else []) for t in ALL_TYPES},
        "rule_variant": "threshold_or_prior_year",
        "q1_paid_on_trajectory": False,
        "has_year_end": False,
        "source_document": (
            "NHS Improvement, 'The Sustainability and Transformation Fund and financial control totals "
            "for 2017/18 and 2018/19: guidance' (September 2017)"
        ),
        "notes": "A&E met at 90% or when the quarter beats the same quarter of 2017/18. Phasing as 2017/18 (our choice).",
    },
]


def load_schemes(apps, schema_editor):
    Scheme = apps.get_model("finance", "Scheme")
    # The fields of the models given (a later migration replaced ``has_year_end``).
    fields = {field.name for field in Scheme._meta.get_fields()}
    by_code = {}
    for data in SCHEMES:
        scheme, _ = Scheme.objects.update_or_create(
            code=data["code"],
            defaults={key: value for key, value in {**data, "checked_by": CHECKED_BY, "reviewed_on": REVIEWED_ON}.items()
                      if key in fields},
        )
        by_code[scheme.code] = scheme
    by_code["2018-19"].comparison_scheme = by_code["2017-18"]
    by_code["2018-19"].save(update_fields=["comparison_scheme"])


def unload_schemes(apps, schema_editor):
    apps.get_model("finance", "Scheme").objects.filter(code__in=[s["code"] for s in SCHEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(load_schemes, unload_schemes)]
