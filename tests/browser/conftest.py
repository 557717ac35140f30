"""Browser tests: Playwright (sync API) drives Debian's chromium against pytest-django's live server.
The demo country is loaded and recomputed for each test (the live server's database is flushed
between tests)."""
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; the ORM calls these tests make
    between page actions (and the database flush after each) are ordinary synchronous calls.
    Allowed for the browser tests' modules only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_orm_beside_playwright):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"The browser tests need Debian's chromium at {CHROMIUM} (make chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    from finance.services import recompute
    from stftracker.demo import load_demo

    result = load_demo()
    recompute()
    return result


class Session:
    """A signed-in page that records console errors and uncaught exceptions."""

    def __init__(self, page, base_url):
        self.page, self.base_url, self.errors = page, base_url, []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def log_in(self, username, password):
        self.page.goto(self.base_url + "/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("main button[type=submit], main input[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in self.page.url, "log in failed"

    def open(self, path):
        response = self.page.goto(self.base_url + path)
        assert response.status == 200, f"{path}: HTTP {response.status}"
        self.wait_for_charts()
        return response

    def wait_for_charts(self):
        count = self.page.locator("[data-figure]").count()
        if count:
            self.page.wait_for_function(
                "n => document.querySelectorAll('[data-figure].chart-drawn').length === n", arg=count, timeout=30000)
        return count

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def session_for(browser, live_server):
    contexts = []

    def make(username, password, *, width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        session = Session(context.new_page(), live_server.url)
        session.log_in(username, password)
        return session

    yield make
    for context in contexts:
        context.close()
