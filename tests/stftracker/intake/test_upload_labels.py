"""What the upload pages and the recompute page say: a rejected file as what it was (its name,
kind and "Rejected: N errors", nothing counted as new), the entitlements' changes and a run's
trigger in words, never codes."""
import re

import pytest

from finance.models import RecomputeRun
from stftracker.intake.importing import ingest
from trusts.models import UploadStatus

pytestmark = pytest.mark.django_db

# One good row and two bad ones (money that is not money): the file is rejected whole.
def rejected_file(code):
    return (f"org_code,period,plan_ytd,actual_ytd,forecast_outturn\r\n"
            f"{code},2016-04,-100000,-90000,-1000000\r\n"
            f"{code},2016-05,12abc,-150000,-1000000\r\n"
            f"{code},2016-06,-300000,xyz,-1000000\r\n").encode()


def test_a_rejected_file_is_listed_as_what_it_was(client, analyst, home_trust):
    result = ingest(data=rejected_file(home_trust.org_code), file_name="june-finance.csv", user=analyst, source="test")
    upload = result.upload
    assert upload.status == UploadStatus.REJECTED and upload.errors_total == 2
    # Nothing was stored, so nothing is new: before, the good row counted as "New 1".
    assert (upload.rows_new, upload.rows_changed, upload.rows_unchanged) == (0, 0, 0)
    client.force_login(analyst)
    html = client.get("/uploads/history/").content.decode()
    row = re.search(r"<tr>\s*<td><a href=\"/uploads/%d/\">.*?</tr>" % upload.pk, html, flags=re.S).group(0)
    assert "<td>june-finance.csv</td>" in row and "<td>Monthly finance returns</td>" in row
    assert "Rejected: 2 errors</span>" in row
    assert row.count('<td class="num">—<span class="visually-hidden"> nothing stored</span></td>') == 2
    detail = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "3 read, nothing stored: 2 errors" in detail
    assert "0 new" not in detail and "1 new" not in detail


def test_the_recompute_page_says_who_asked_in_words(client, analyst):
    run = RecomputeRun.objects.create(trigger="nightly", state="done", progress_done=2, progress_total=2)
    client.force_login(analyst)
    html = client.get(f"/recompute/{run.pk}/").content.decode()
    assert "Asked for by the nightly check" in html
    assert "Trigger:" not in html and "nightly," not in html


def test_what_changed_names_statuses_in_words_and_money_the_page_way(client, analyst, home_trust):
    from tests.builders import allocate, quarter_with_status, recompute
    from tests.factories import UploadFactory

    allocate(home_trust)
    quarter_with_status(home_trust, 1, "full")  # now: Q1 full, the whole £250,000.00 earned
    recompute("2016-17")
    # Before the upload Q1 had failed finance and earned nothing.
    upload = UploadFactory(kind="finance", uploaded_by=analyst, notes={
        "entitlements_before": [[home_trust.org_code, "2016-17", 1, "0.00", "finance_failed"]],
        "changed_trust_ids": [home_trust.pk]})
    RecomputeRun.objects.create(trigger="upload", upload=upload, state="done")
    client.force_login(analyst)
    html = client.get(f"/uploads/{upload.pk}/").content.decode()
    row = re.search(r"<tr><th scope=\"row\">%s .*?</tr>" % home_trust.org_code, html, flags=re.S).group(0)
    assert ('<td class="num">£0.00</td><td>Finance failed</td>\n      '
            '<td class="num">£250,000.00</td><td>Full</td>') in row
    assert "finance_failed" not in html
