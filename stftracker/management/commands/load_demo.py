"""Load the demo country (real England by default, or the synthetic one) and print the demo accounts.

Without ``--if-empty`` every run wipes the national data set and rebuilds it, so two runs with the
same seed leave identical rows. With ``--if-empty`` nothing is written when trusts already exist.
Entitlements are not computed here: run ``manage.py recompute`` next.
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stftracker.demo import (
    DEFAULT_SEED, DemoRefused, demo_accounts_status, has_national_data, load_demo, second_factor_key,
)


class Command(BaseCommand):
    help = (
        "Load the demo country and the demo accounts: England's real trusts, STP footprints and published "
        "A&E statistics 2016-19 with simulated finance, RTT and cancer figures (or, with --synthetic, an "
        "invented country for scale tests). Replaces the national data set; --if-empty leaves an existing one alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any trust exists.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--synthetic", action="store_true",
                            help="Load the seeded synthetic country instead of real England.")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Size of the synthetic country, in (0, 1] (implies --synthetic).")
        parser.add_argument(
            "--force", action="store_true", help="Replace the data set even if it holds uploads not from the demo."
        )

    def handle(self, *args, if_empty=False, seed=DEFAULT_SEED, force=False, synthetic=False, scale=1.0, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a production site. The demo would replace its data and "
                "reset the demo accounts' passwords. Use --force if you really mean it."
            )
        if if_empty and has_national_data():
            self.stdout.write("Trusts already exist: the demo country was not loaded.")
        else:
            try:
                result = load_demo(seed=seed, force=force, synthetic=synthetic, scale=scale)
            except ValueError as error:
                raise CommandError(str(error)) from error
            except DemoRefused as error:
                raise CommandError(str(error)) from error
            counts = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
            self.stdout.write(self.style.SUCCESS(
                f"Demo country loaded (seed {seed}) in {result.seconds:.1f}s: {result.description or 'synthetic'}. "
                f"{counts}."))
            self.stdout.write("Entitlements are not computed yet: run `python manage.py recompute`.")
        self._print_accounts()

    def _print_accounts(self):
        self.stdout.write("Demo accounts (change these passwords before the site is shared):")
        for account, user, trusts in demo_accounts_status():
            if user is None:
                self.stdout.write(f"  {account.username:<8} (not present)")
                continue
            line = f"  {account.username:<8} password {account.password:<28} {account.description}"
            if trusts:
                line += " of " + "; ".join(f"{trust.name} ({trust.org_code})" for trust in trusts)
            self.stdout.write(line)
            key = second_factor_key(user) if user.is_staff else None
            if key is not None:
                secret, link = key
                self.stdout.write(
                    f"           the admin site asks {account.username} for a code: add the authenticator key {secret} "
                    f"to an authenticator app (time-based, 6 digits), or open {link}"
                )
