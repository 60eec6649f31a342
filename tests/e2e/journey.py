"""What every page of a browser journey gets: axe-core, a screenshot, CSP/console errors, its weight."""

import gzip
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

AXE_URL = "/static/vendor/axe-core/axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# Serious or critical axe findings fail the journey; moderate/minor are printed only.
FAILING_IMPACTS = {"serious", "critical"}
# "No page over 300 KB of assets after compression, excluding cached static files."
PAGE_BUDGET_BYTES = 300 * 1024

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map(
      n => n.target.join(" ") + "\\n      " + (n.failureSummary || "").replace(/\\n/g, " ")),
  }));
}"""


# What makes a page wider than the screen: the innermost elements past the right edge, or whose
# content is wider than they are (a word too long for its button), to say what to fix.
OVERFLOWING = """(width) => {
  const all = [...document.body.querySelectorAll("*")];
  const out = all.filter(el => el.getBoundingClientRect().right > width
    || (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible"));
  const innermost = out.filter(el => !out.some(other => other !== el && el.contains(other)));
  return innermost.slice(0, 8).map(el => {
    const r = el.getBoundingClientRect();
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")}`
      + ` (${Math.round(r.left)}-${Math.round(r.right)} px: "${(el.textContent || "").trim().slice(0, 40)}")`;
  });
}"""


@dataclass
class Report:
    """Collected over the run and printed by the terminal summary."""

    screenshot_dirs: set = field(default_factory=set)
    # label -> (gzip'd bytes of the HTML and other non-static responses, raw bytes)
    page_weights: dict = field(default_factory=dict)
    # static URL path -> gzip'd bytes (each counted once: a browser caches them)
    static_weights: dict = field(default_factory=dict)
    axe_notes: list = field(default_factory=list)
    durations: dict = field(default_factory=dict)


REPORT = Report()


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


class Journey:
    """One user's browser journey: a page plus the checks every screen of it must pass."""

    def __init__(self, page, name: str, base_url: str):
        self.page = page
        self.name = name
        self.base_url = base_url
        self.folder = SCREENSHOTS / name
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        REPORT.screenshot_dirs.add(self.folder)
        self.shots = 0
        self.console_errors = []
        self.responses = []
        self.allowed_error_statuses = set()
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"page error: {exc}"))
        page.on("response", self._on_response)

    # --- navigation -------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, *, expect_status: int = 200):
        self.responses.clear()
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == expect_status, f"{path} answered {response.status}, expected {expect_status}"
        return response

    def submit(self, control, *, tap=False):
        """Press a button (or link) that loads a new page, and wait for that page."""

        with self.page.expect_navigation():
            control.tap() if tap else control.click()
        self.page.wait_for_load_state("load")

    def path(self) -> str:
        return urlsplit(self.page.url).path

    # --- the checks -----------------------------------------------------------------

    def check(self, label: str, *, axe: bool = True, weigh: bool = True):
        """Every screen of a journey: no CSP/console errors, weight measured, axe clean, screenshot."""

        self.page.wait_for_load_state("load")
        self.assert_no_console_errors(label)
        if weigh:
            self.weigh(label)
        if axe:
            self.assert_accessible(label)
        self.screenshot(label)

    def screenshot(self, label: str) -> Path:
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        path = self.folder / f"{self.shots:02d}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_accessible(self, label: str):
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # The URL form: CSP (script-src 'self') allows a same-origin script, not an inline one.
            self.page.add_script_tag(url=self.url(AXE_URL))
        violations = self.page.evaluate(AXE_RUN)
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        for v in violations:
            if v["impact"] not in FAILING_IMPACTS:
                REPORT.axe_notes.append(f"{self.name}/{label}: {v['impact']} {v['id']}")
        if failing:
            lines = [f"axe: {len(failing)} serious/critical violation(s) on {self.name} / {label} ({self.page.url}):"]
            for v in failing:
                lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                lines.extend(f"    - {node}" for node in v["nodes"])
            raise AssertionError("\n".join(lines))

    def assert_no_console_errors(self, label: str):
        errors = [e for e in self.console_errors if not self._expected(e)]
        self.console_errors.clear()
        assert not errors, f"console errors on {self.name} / {label}:\n" + "\n".join(errors)

    def weigh(self, label: str):
        """Gzip'd bytes of what this screen fetched that a browser would not have cached.

        Static files are weighed once each, as WhiteNoise serves them compressed; the page's
        first-visit weight (an empty cache: every static file it uses too) is kept under the
        budget as well.
        """

        dynamic_gz = dynamic_raw = 0
        for response in list(self.responses):
            path = urlsplit(response.url).path
            if not response.url.startswith(self.base_url) or path.startswith(settings.STATIC_URL):
                continue
            if response.status in (301, 302, 303, 304):
                continue
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - a body evicted from the cache is not weighed
                continue
            dynamic_raw += len(body)
            dynamic_gz += gzip_size(body)
        # Every static file the page uses, from the cache or not (the resource timing list has both).
        used = self.page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
        static_gz = 0
        for url in set(used):
            path = urlsplit(url).path
            if not url.startswith(self.base_url) or not path.startswith(settings.STATIC_URL) or path == AXE_URL:
                continue
            if path not in REPORT.static_weights:
                found = finders.find(path.removeprefix(settings.STATIC_URL))
                REPORT.static_weights[path] = gzip_size(Path(found).read_bytes()) if found else 0
            static_gz += REPORT.static_weights[path]
        key = f"{self.name} / {label}"
        REPORT.page_weights[key] = (dynamic_gz, dynamic_raw, dynamic_gz + static_gz)
        assert dynamic_gz <= PAGE_BUDGET_BYTES, f"{key} weighs {dynamic_gz} bytes gzip'd, over the 300 KB budget"
        assert dynamic_gz + static_gz <= PAGE_BUDGET_BYTES, (
            f"{key} weighs {dynamic_gz + static_gz} bytes gzip'd on a first visit (static files included), "
            "over the 300 KB budget"
        )
        return dynamic_gz

    def assert_fits_width(self, width: int, label: str):
        scroll_width = self.page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > width:
            culprits = self.page.evaluate(OVERFLOWING, width)
            raise AssertionError(
                f"{label} scrolls sideways at {width} px: the page is {scroll_width} px wide; "
                f"sticking out: {culprits}"
            )

    # --- internals --------------------------------------------------------------------

    def _on_response(self, response):
        self.responses.append(response)

    def _on_console(self, message):
        if message.type == "error":
            self.console_errors.append(f"console: {message.text}")

    def _expected(self, error: str) -> bool:
        # A page we expect to refuse (403/404) logs "Failed to load resource" for itself.
        return any(f"status of {status}" in error for status in self.allowed_error_statuses)
