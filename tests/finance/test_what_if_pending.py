"""finance.services.what_if on a quarter in progress: overrides for the months not yet in, the plan
a YTD actual is judged against before the last finance return arrives, and what it refuses."""
import datetime
from decimal import Decimal as D

import pytest

from finance import services
from finance.services import RecomputeError
from tests.builders import allocate
from tests.factories import FinanceReturnFactory, PerformanceReturnFactory, TrustFactory, UploadFactory, scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust():
    """£1,000,000.00 for 2016-17 (Q2 £250,000.00, A&E £31,250.00): July's A&E 333 of 350 (95.14%)
    and August's 330 of 350; July's finance return (plan −£100,000.00, actual −£90,000.00)."""
    trust = TrustFactory(org_code="RWIP")
    allocate(trust)
    upload = UploadFactory()
    for month, numerator in ((7, 333), (8, 330)):
        PerformanceReturnFactory(trust=trust, month=datetime.date(2016, month, 1), metric="ae", numerator=numerator,
                                 denominator=350, upload=upload)
    FinanceReturnFactory(trust=trust, month=datetime.date(2016, 7, 1), plan_ytd=D("-100000.00"),
                         actual_ytd=D("-90000.00"), upload=upload)
    return trust


def what_if(trust, **kwargs):
    return services.what_if(trust=trust, scheme=scheme("2016-17"), quarter=2, **kwargs)


def ae(record):
    return next(m for m in record["metrics"] if m["metric"] == "ae")


def test_the_override_is_for_the_month_not_yet_in(trust):
    # N = 663, D = 700 over two months; September, at the 350 average, must reach
    # (3·95·700 − 100·2·663) / (1·700) = (199500 − 132600) / 700 = 95.57…%. At 100%:
    # (663 + 350) / 1050 = 1013 / 1050 = 96.476…% ≥ 95%: met
    record = what_if(trust, performance={"ae": D("100")}, actual_ytd=D("-90000.00"))
    assert ae(record)["performance"] == "96.48" and ae(record)["met"] is True
    # At 80%: (663 + 280) / 1050 = 943 / 1050 = 89.81%: missed; the months in kept their figures
    record = what_if(trust, performance={"ae": D("80")}, actual_ytd=D("-90000.00"))
    assert ae(record)["performance"] == "89.81" and ae(record)["met"] is False


def test_a_fractional_average_keeps_the_counts_whole(trust):
    # 80.01% of 350 cases is 280.035: every month of the quarter is multiplied by 200 to keep whole counts,
    # (663 + 280.035) / 1050 = 943.035 / 1050 = 89.8128…%, shown 89.81
    record = what_if(trust, performance={"ae": D("80.01")}, actual_ytd=D("-90000.00"))
    assert ae(record)["performance"] == "89.81"


def test_a_metric_with_every_month_in_is_overridden_for_the_whole_quarter(trust):
    upload = UploadFactory()
    PerformanceReturnFactory(trust=trust, month=datetime.date(2016, 9, 1), metric="ae", numerator=1, denominator=350,
                             upload=upload)
    record = what_if(trust, performance={"ae": D("93.10")}, actual_ytd=D("-90000.00"))
    assert ae(record)["performance"] == "93.10"


def test_the_plan_defaults_to_the_latest_known_and_can_be_given(trust):
    # −£100,000.01 against July's plan −£100,000.00: a penny behind, the whole £250,000.00 withheld
    record = what_if(trust, actual_ytd=D("-100000.01"))
    assert (record["status"], record["withheld"], record["finance"]["ytd_plan"]) == (
        "finance_failed", "250000.00", "-100000.00")
    record = what_if(trust, actual_ytd=D("-100000.01"), ytd_plan=D("-150000.00"))
    assert record["finance"]["met"] is True and record["finance"]["ytd_plan"] == "-150000.00"


def test_a_plan_alone_cannot_judge_a_missing_return(trust):
    with pytest.raises(RecomputeError, match="enter the YTD actual"):
        what_if(trust, ytd_plan=D("-150000.00"))


def test_an_override_too_precise_for_whole_counts_is_refused(trust):
    with pytest.raises(RecomputeError, match="too many decimal places"):
        what_if(trust, performance={"ae": D("80.0000000001")})
