"""The demo country: real England by default (``england``), a synthetic one for scale tests
(``synthetic``), both as plain rows and the files an import would take (``country``), imported
through the intake by one service (``loader``)."""
from .country import DEFAULT_SEED, MONTHS_RECEIVED, YEARS, Country, DemoFile
from .england import england_country
from .loader import (
    DEMO_ACCOUNTS, DEMO_SOURCE, DemoAccount, DemoFileRefused, DemoRefused, DemoResult, build_country,
    demo_accounts_status, has_national_data, load_demo, second_factor_key,
)
from .synthetic import generate_country

__all__ = [
    "DEFAULT_SEED", "MONTHS_RECEIVED", "YEARS", "Country", "DemoFile", "england_country", "generate_country",
    "DEMO_ACCOUNTS", "DEMO_SOURCE", "DemoAccount", "DemoFileRefused", "DemoRefused", "DemoResult", "build_country",
    "demo_accounts_status", "has_national_data", "load_demo", "second_factor_key",
]
