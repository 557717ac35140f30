"""Find a trust in a real browser: the header's box offers suggestions from the API as one types,
Enter opens the results page (or the trust itself), it all works from the keyboard, and a finance
director's header links to their trust. No console errors."""
import pytest

from tests.browser.axe import assert_accessible
from tests.browser.test_dashboards import ANALYST, DIRECTOR, assert_accessible_structure
from trusts.models import Trust

pytestmark = pytest.mark.browser


def suggestions(page):
    return page.evaluate("Array.from(document.querySelectorAll('#trust-suggestions option')).map(o => o.value)")


def test_typing_suggests_trusts_and_enter_opens_the_results(demo, session_for):
    session = session_for(*ANALYST)
    session.open("/")
    page = session.page
    leeds = sorted(Trust.objects.filter(name__icontains="leeds").values_list("name", "org_code"))
    assert leeds, "the demo has trusts in Leeds"
    page.focus("#trust-search-q")  # reachable from the keyboard: a labelled input in the header
    page.keyboard.type("leeds")
    page.wait_for_function("() => document.querySelectorAll('#trust-suggestions option').length > 0")
    assert sorted(suggestions(page)) == sorted(f"{name} ({code})" for name, code in leeds)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # searches at once, with the suggestions showing
    if len(leeds) == 1:
        assert page.url.endswith(f"/trusts/{leeds[0][1]}/")
    else:
        assert "/trusts/?q=leeds" in page.url
        assert page.locator("#search-results tbody tr").count() == len(leeds)
        assert_accessible_structure(page)
    assert_accessible(page)  # WCAG 2.1 AA, the search box and its suggestions included
    session.screenshot("search-results")
    assert session.errors == []


def test_a_chosen_suggestion_opens_that_trust(demo, session_for):
    session = session_for(*ANALYST)
    session.open("/regions/")
    page = session.page
    name, code = Trust.objects.filter(name__icontains="leeds").values_list("name", "org_code").order_by("org_code")[0]
    page.fill("#trust-search-q", f"{name} ({code})")  # what choosing a suggestion puts in the box
    page.keyboard.press("Tab")  # from the box to its Search button, then press it
    assert page.evaluate("document.activeElement.textContent") == "Search"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/trusts/{code}/")
    assert session.errors == []


def test_a_director_has_a_my_trust_link_on_a_phone(demo, session_for):
    session = session_for(*DIRECTOR, width=390, height=844)
    session.open("/")
    page = session.page
    link = page.locator("nav[aria-label=Main] a", has_text="My trust")
    assert link.count() == 1
    with page.expect_navigation():
        link.click()
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert Trust.objects.filter(org_code=code, finance_directors__username=DIRECTOR[0]).exists()
    assert page.locator("#trust-search-q").is_visible()
    page.focus("#trust-search-q")
    page.keyboard.type("leeds")
    page.wait_for_function("() => document.querySelectorAll('#trust-suggestions option').length > 0")
    assert_accessible(page)  # on a phone too, with the suggestions loaded
    session.screenshot("search-phone")
    assert session.errors == []
