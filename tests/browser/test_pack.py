"""The review pack in a real browser: the link on the national page leads to the pack's page and
its download, a workbook of every trust in the quarter, with no console errors; and likewise when
the pack is large enough to be built by the task."""
import re

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from finance.models import Entitlement

pytestmark = pytest.mark.browser

ANALYST = ("analyst", "analyst-demo-2016")


def download_pack(session, tmp_path):
    """From the national page, follow the pack link and download the workbook; its path and period."""
    session.open("/")
    link = session.page.get_by_role("link", name=re.compile("Download the review pack"))
    assert link.count() == 1
    href = link.get_attribute("href")
    year, quarter = re.fullmatch(r"/packs/(\d{4}-\d{2})/Q(\d)/", href).groups()
    link.click()
    session.page.wait_for_load_state("networkidle")
    assert session.page.url.endswith(href)
    assert session.page.locator("h1").inner_text() == f"Review pack, {year} Q{quarter}"
    offered = session.page.locator("a.pack-download")
    offered.wait_for(timeout=30000)  # at once, or once the page has refreshed itself to the finished build
    with session.page.expect_download() as caught:
        offered.click()
    download = caught.value
    assert download.suggested_filename == f"stf-review-pack-{year}-Q{quarter}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    return path, year, int(quarter)


def assert_every_trust_of_the_quarter(path, year, quarter):
    book = load_workbook(path)
    assert book.sheetnames[:4] == ["Summary", "Regions", "Footprints", "Trusts"]
    codes = [row[0] for row in book["Trusts"].iter_rows(min_row=2, values_only=True)]
    stored = Entitlement.objects.filter(scheme__code=year, quarter=quarter)
    assert sorted(codes) == sorted(stored.values_list("trust__org_code", flat=True))
    assert len(codes) > 100  # the demo country


def test_the_national_page_links_the_pack_and_it_downloads(demo, session_for, tmp_path):
    session = session_for(*ANALYST)
    path, year, quarter = download_pack(session, tmp_path)
    assert_every_trust_of_the_quarter(path, year, quarter)
    assert session.errors == []


def test_a_pack_built_by_the_task_downloads_too(demo, session_for, tmp_path):
    with override_settings(PACK_INLINE_MAX_TRUSTS=10):  # the demo's quarter goes to the task (in-process here)
        session = session_for(*ANALYST)
        path, year, quarter = download_pack(session, tmp_path)
    assert_every_trust_of_the_quarter(path, year, quarter)
    assert session.errors == []
