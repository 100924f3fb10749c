"""Run axe-core inside a Playwright page and keep the violations that block readers."""

from __future__ import annotations

from pathlib import Path

#: Impacts that fail the test. "minor" and "moderate" findings are reported by axe but not failed on.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

#: axe rules switched off, each with the reason. Empty: no rule is disabled.
DISABLED_RULES: dict[str, str] = {}


def blocking_violations(page, axe_path: Path) -> list[dict]:
    """Inject axe-core into ``page``, run every rule, and return the serious or critical violations.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page that has finished loading.
    axe_path : pathlib.Path
        ``node_modules/axe-core/axe.min.js``; injected as an inline script (no request is made).

    Returns
    -------
    list of dict
        One dict per violated rule: ``id``, ``impact``, ``help`` and ``targets`` (CSS selectors of up to
        five offending elements). Empty when the page passes.
    """
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(axe_path))
    options = {"resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in DISABLED_RULES}}
    results = page.evaluate("async (options) => await axe.run(document, options)", options)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [" ".join(map(str, node["target"])) for node in v["nodes"][:5]]}
            for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """Format violations one per line, for a failure message."""
    return "\n".join(f"  [{v['impact']}] {v['id']}: {v['help']} -> {v['targets']}" for v in violations)
