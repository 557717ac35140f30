"""``python manage.py import_returns FILE [FILE ...]``: detect each file's kind from its header,
validate it whole, store all of it or nothing, print a row-level report; exit 1 on any error."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from stftracker.intake.importing import ingest


class Command(BaseCommand):
    help = "Import returns, plans, trust lists or NHS England statistics from CSV/XLSX files."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--user", help="Username recorded on the upload (default: the first superuser).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")

    def handle(self, *args, files, user=None, dry_run=False, **options):
        users = get_user_model().objects
        if user:
            account = users.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user {user!r}.")
        else:
            account = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if account is None:
                raise CommandError("No superuser to record the import against: create one or pass --user.")
        failed = 0
        for name in files:
            path = Path(name)
            self.stdout.write(f"== {path}")
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.stdout.write(f"ERROR file: cannot read {path}: {exc.strerror}")
                failed += 1
                continue
            result = ingest(data=data, file_name=path.name, user=account, source="command", commit=not dry_run)
            for line in result.report_lines():
                self.stdout.write(line)
            if result.run is not None:
                result.run.refresh_from_db()
                self.stdout.write(f"recompute run {result.run.pk}: {result.run.state}")
            if not result.ok:
                failed += 1
        if failed:
            raise CommandError(f"{failed} of {len(files)} files had errors; those stored nothing.", returncode=1)
