"""Each metric's names, written once: the choices, the pages and the reasons read the same table."""
from performance.metrics import CHOICE_NAMES, METRICS, PAGE_NAMES, REASON_NAMES
from performance.models import METRIC_CODES, Metric


def test_every_metric_has_its_three_names():
    assert [metric.code for metric in METRICS] == ["ae", "rtt", "cancer62"]
    assert CHOICE_NAMES == {"ae": "A&E 4 hours", "rtt": "Elective RTT 18 weeks", "cancer62": "Cancer 62 days"}
    assert PAGE_NAMES == {"ae": "A&E 4 hours", "rtt": "RTT 18 weeks", "cancer62": "Cancer 62 days"}
    assert REASON_NAMES == {"ae": "A&E", "rtt": "RTT", "cancer62": "Cancer 62-day"}


def test_the_model_choices_are_the_choice_names():
    assert Metric.choices == [("ae", "A&E 4 hours"), ("rtt", "Elective RTT 18 weeks"), ("cancer62", "Cancer 62 days")]
    assert Metric.AE == "ae" and Metric.CANCER62.label == "Cancer 62 days"
    assert METRIC_CODES == ["ae", "rtt", "cancer62"]
