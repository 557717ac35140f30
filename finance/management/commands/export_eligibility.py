"""python manage.py export_eligibility --year 2016-17 [--quarter N] [--format json|csv]

Prints the same eligibility records as the API: JSON (a list of records) or CSV.
"""
import json

from django.core.management.base import BaseCommand, CommandError

from common.exports import csv_text
from finance.eligibility import CSV_FIELDS, entitlement_record, flat_record
from finance.models import Scheme
from finance.selectors import eligibility_queryset


class Command(BaseCommand):
    help = "Print the eligibility records of a scheme (and quarter) as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Scheme code, e.g. 2016-17")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, year, quarter=None, format="json", **options):
        if not Scheme.objects.filter(code=year).exists():
            known = ", ".join(Scheme.objects.values_list("code", flat=True))
            raise CommandError(f"No scheme {year!r}. Known schemes: {known}.")
        records = [entitlement_record(e) for e in eligibility_queryset(year=year, quarter=quarter)]
        if format == "csv":
            self.stdout.write(csv_text([flat_record(r) for r in records], CSV_FIELDS), ending="")
        else:
            self.stdout.write(json.dumps(records, indent=2))
