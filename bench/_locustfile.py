"""Simulated users for bench/load.py: analysts browsing the dashboards and REST clients.

Settings come from the environment: STF_BENCH_USERNAME / STF_BENCH_PASSWORD (a demo account),
STF_BENCH_TOKEN (an API token), and the trusts, regions and footprints to visit as JSON in
STF_BENCH_PLACES.
"""
import json
import os
import random

from locust import HttpUser, between, task

PLACES = json.loads(os.environ.get("STF_BENCH_PLACES", "{}"))
TRUSTS = PLACES.get("trusts") or ["RXX"]
REGIONS = PLACES.get("regions") or []
FOOTPRINTS = PLACES.get("footprints") or []
YEARS = ["2016-17", "2017-18", "2018-19"]


def _insecure_cookies(client):
    """The site marks its cookies Secure (DEBUG off); the bench talks plain HTTP on 127.0.0.1."""
    for cookie in client.cookies:
        cookie.secure = False


class Analyst(HttpUser):
    """Logs in as the demo analyst and browses the national, regional and trust pages."""

    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.get("/accounts/login/", name="/accounts/login/")
        _insecure_cookies(self.client)
        token = self.client.cookies.get("csrftoken", "")
        response = self.client.post(
            "/accounts/login/",
            data={"username": os.environ["STF_BENCH_USERNAME"], "password": os.environ["STF_BENCH_PASSWORD"],
                  "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"}, name="/accounts/login/ (POST)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login failed: {response.status_code}")
        _insecure_cookies(self.client)

    @task(4)
    def overview(self):
        self.client.get("/", name="/")

    @task(4)
    def trust(self):
        self.client.get(f"/trusts/{random.choice(TRUSTS)}/", name="/trusts/<org_code>/")

    @task(2)
    def region(self):
        if REGIONS:
            self.client.get(f"/regions/{random.choice(REGIONS)}/", name="/regions/<code>/")

    @task(2)
    def footprint(self):
        if FOOTPRINTS:
            self.client.get(f"/footprints/{random.choice(FOOTPRINTS)}/", name="/footprints/<code>/")

    @task(1)
    def uploads(self):
        self.client.get("/uploads/", name="/uploads/")


class ApiClient(HttpUser):
    """A REST client with a token pulling eligibility records."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {os.environ['STF_BENCH_TOKEN']}"

    @task(4)
    def eligibility(self):
        year = random.choice(YEARS)
        self.client.get(f"/api/v1/eligibility/?year={year}&quarter={random.randint(1, 4)}",
                        name="/api/v1/eligibility/?year&quarter")

    @task(2)
    def trust_eligibility(self):
        self.client.get(f"/api/v1/trusts/{random.choice(TRUSTS)}/eligibility/",
                        name="/api/v1/trusts/<org_code>/eligibility/")

    @task(1)
    def eligibility_csv(self):
        self.client.get(f"/api/v1/eligibility/?year=2016-17&quarter={random.randint(1, 4)}&format=csv",
                        name="/api/v1/eligibility/?format=csv")

    @task(1)
    def trusts(self):
        self.client.get("/api/v1/trusts/", name="/api/v1/trusts/")
