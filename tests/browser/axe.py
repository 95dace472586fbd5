"""Accessibility checks with axe-core, injected from static/vendor/ (no network, no CDN).

    from .axe import axe_violations

    page.goto(url)
    assert axe_violations(page) == []

axe checks the page as it is when called, iframes included; call it again after a navigation
(it then injects axe again, as a new document does not keep it).

axe is evaluated through the DevTools protocol rather than added as a <script> element: the site's
Content-Security-Policy (script-src 'self') refuses inline scripts, and the pages are checked with
that policy in force.
"""

from collections.abc import Iterable
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"

# axe.run's resultTypes only trims the details of the other result types; violations are complete.
_RUN = """async () => await axe.run(document, {resultTypes: ['violations']})"""

_LOADED = "() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"

TARGETS_PER_VIOLATION = 3


def _selector(target: list) -> str:
    # axe's `target` has one entry per frame level, outermost first; an entry is itself a list
    # when the element is in a shadow root (one selector per shadow boundary). Join them all.
    parts = []
    for level in target:
        parts.extend(level if isinstance(level, list) else [level])
    return " >>> ".join(str(part) for part in parts)


def axe_violations(page, *, impacts: Iterable[str] | None = ("serious", "critical")) -> list[dict]:
    """The axe-core violations on the page of the given impacts (all of them when None).

    Each is {"id", "impact", "help", "helpUrl", "nodes", "targets"}: nodes is how many elements
    fail, targets the CSS selectors of the first few (across iframes and shadow roots, the
    selectors along the way are joined with " >>> ").
    """
    # Into every frame: axe in the top document asks the frames' own axe for their results, and
    # skips frames without one.
    for frame in page.frames:
        if not frame.evaluate(_LOADED):
            frame.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(_RUN)
    wanted = None if impacts is None else set(impacts)
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "helpUrl": violation["helpUrl"],
            "nodes": len(violation["nodes"]),
            "targets": [
                _selector(node["target"]) for node in violation["nodes"][:TARGETS_PER_VIOLATION]
            ],
        }
        for violation in results["violations"]
        if wanted is None or violation["impact"] in wanted
    ]
