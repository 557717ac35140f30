"""How pages write money and dates: one form of a negative sum (U+2212, kept whole), days as
"1 Dec 2016" and months as "Dec 2016"; CSV and the API keep plain machine-readable figures."""
from decimal import Decimal

import pytest
from django.template import Context, Template

from tests.builders import allocate, quarter_with_status, recompute
from tests.factories import TrustFactory


def render(source, **context):
    return Template("{% load dashboard %}" + source).render(Context(context))


def test_a_negative_sum_has_a_true_minus_and_never_wraps():
    # -1234.555 rounds half-up to -1,234.56; the sign is U+2212 and the span does not wrap.
    assert render("{{ v|money }}", v=Decimal("-1234.555")) == '<span class="money">−£1,234.56</span>'
    assert render("{{ v|money }}", v=Decimal("1234.5")) == "£1,234.50"
    assert render("{{ v|money }}", v=None) == "—"


def test_reasons_write_negative_sums_as_the_page_does_and_stay_escaped():
    reason = "Finance: YTD actual -£500,000.01 is behind the YTD plan -£500,000.00 at June 2016 <b>"
    html = render("{{ r|words }}", r=reason)
    assert html == ('Finance: YTD actual <span class="money">−£500,000.01</span> is behind the YTD plan '
                    '<span class="money">−£500,000.00</span> at June 2016 &lt;b&gt;')
    assert "-£" not in html
    # A hyphen that is not a sign is left alone.
    assert render("{{ r|words }}", r="2016-17 Q1: £250,000.00 earned") == "2016-17 Q1: £250,000.00 earned"


@pytest.mark.django_db
def test_the_trust_page_has_one_form_of_negative_sum_and_the_api_keeps_plain_figures(client, analyst):
    trust = TrustFactory(org_code="RNG1", name="Negative Hospitals NHS Trust")
    allocate(trust)
    # Q1: YTD plan -500,000.00, actual -650,000.00: finance fails, the whole £250,000.00 is withheld.
    quarter_with_status(trust, 1, "finance_failed", plan="-500000.00", actual="-650000.00")
    recompute("2016-17")
    client.force_login(analyst)
    html = client.get("/trusts/RNG1/?year=2016-17&quarter=1").content.decode()
    assert 'YTD actual <span class="money">−£650,000.00</span> is behind the YTD plan ' \
           '<span class="money">−£500,000.00</span>' in html
    assert "-£" not in html
    body = client.get("/api/v1/trusts/RNG1/eligibility/", {"year": "2016-17"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    q1 = next(row for row in rows if row["quarter"] == 1)
    assert q1["withheld"] == "250000.00"
    # The API keeps the stored words: the reasons (a list in JSON) say "-£650,000.00" as recorded.
    assert isinstance(q1["reasons"], list)
    assert any(reason.startswith("Finance: YTD actual -£650,000.00 is behind") for reason in q1["reasons"])
