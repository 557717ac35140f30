"""The axe harness itself: it fails on a page with a known violation, naming it, and passes a clean one."""
import pytest

from tests.browser.axe import WCAG_TAGS, assert_accessible, axe_violations

pytestmark = pytest.mark.browser

CLEAN = ('<!doctype html><html lang="en"><head><title>Clean</title></head>'
         '<body><main><h1>Clean</h1><img src="x" alt="A chart of nothing"></main></body></html>')


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_an_image_without_alt_text_fails_with_its_id_impact_help_and_target(page):
    page.set_content('<!doctype html><html lang="en"><head><title>T</title></head>'
                     '<body><main><img id="bare" src="x"></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message  # axe-core's rule id for an <img> with no text alternative
    assert "Images must have alternative text" in message  # its help text
    assert "#bare" in message  # the node it found


def test_a_clean_page_passes(page):
    page.set_content(CLEAN)
    assert_accessible(page)
    assert axe_violations(page) == []


def test_the_context_limits_the_check_to_a_part_of_the_page(page):
    page.set_content('<!doctype html><html lang="en"><head><title>T</title></head><body><main>'
                     '<div id="good"><p>Fine</p></div><div id="bad"><img src="x"></div></main></body></html>')
    assert_accessible(page, context="#good")
    ids = [violation["id"] for violation in axe_violations(page, context="#bad")]
    assert ids == ["image-alt"]


def test_only_the_wcag_21_a_and_aa_rules_run(page):
    # A page with no <main> breaks axe's "region" best-practice rule, which is tagged best-practice,
    # not WCAG: the harness does not report it. A missing lang (html-has-lang, wcag2a) it does report.
    assert WCAG_TAGS == ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
    page.set_content('<!doctype html><html><head><title>T</title></head><body><p>No landmarks</p></body></html>')
    ids = [violation["id"] for violation in axe_violations(page)]
    assert ids == ["html-has-lang"]
