"""Accessibility checks for the browser tests: axe-core run in the page against WCAG 2.1 A and AA.

axe-core comes from the pinned PyPI package axe-playwright-python (requirements-dev.txt), which
ships axe.min.js (axe-core 4.12.1 in axe-playwright-python 0.1.8; axe-core is MPL-2.0, its licence
header is kept at the top of the file). Nothing is fetched at test time: the script is read from
the installed package and evaluated in the page.

    from tests.browser.axe import assert_accessible
    assert_accessible(session.page)                      # the whole page
    assert_accessible(session.page, context="main")      # or a part of it (an axe context)
"""
from axe_playwright_python.base import AXE_SCRIPT

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def axe_violations(page, *, context=None):
    """axe-core's violations (its own dicts: id, impact, help, helpUrl, nodes) for the page, or for
    `context` (a selector, or an axe context object such as {"include": [...], "exclude": [...]})."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]}
    results = page.evaluate(
        "([context, options]) => (context === null ? axe.run(document, options) : axe.run(context, options))",
        [context, options])
    return results["violations"]


def describe(violations):
    """One block per violation: its id, impact and help, then each node's target and its summary."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact') or 'no impact given'}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"        {summary}")
    return "\n".join(lines)


def assert_accessible(page, *, context=None):
    """Fail with every WCAG 2.1 A/AA violation axe-core finds (id, impact, help, target nodes)."""
    violations = axe_violations(page, context=context)
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{describe(violations)}"
