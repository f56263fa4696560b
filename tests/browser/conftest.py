"""Real-browser tests: Debian's Chromium driven by Playwright against the app on a loopback port.

The browser is never downloaded. Its path comes from QUIZAPP_CHROMIUM (default /usr/bin/chromium);
without it these tests are skipped, unless QUIZAPP_REQUIRE_BROWSER=1 (as in CI) makes that a failure.

Every page a test reaches is checked with axe-core against WCAG 2.2 AA, when it has loaded, after
the page changes and when the test ends; a violation fails the test. axe-core is fetched once from
the npm registry, checked against the integrity hash pinned here and kept under the virtualenv.
Without network the checks are skipped, unless CI=true or QUIZAPP_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("QUIZAPP_CHROMIUM", "/usr/bin/chromium"))
# How long an expectation waits for the page to get there (Playwright's default is 5 s). axe-core
# runs in the page after each change, on the main thread the page's own scripts need (a draft's
# autosave, say), and CI runs two workers on two cores: a loaded run needs longer, a passing one
# never waits it out.
expect.set_options(timeout=15_000)
# Without these, Chromium keeps trying to reach Google's services from a closed network.
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (set QUIZAPP_CHROMIUM or install Debian's chromium)"
        if os.environ.get("QUIZAPP_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; QUIZAPP_REQUIRE_BROWSER=1 makes this an error")
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": QUIET_FLAGS}


@pytest.fixture(scope="session")
def base_url():
    # Ours replaces pytest-playwright's fallback, which pytest 9 warns about; tests use live_url.
    return None


class LiveServer:
    """The app served from a thread on a loopback port. Stopped and started again, it keeps its
    port, so a page already open in the browser sees the server go away and come back (the
    development server closes every connection after its response: none outlives a stop)."""

    def __init__(self, app) -> None:
        self.app = app
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def restartable_server(app):
    """The test app served for as long as the test runs; the test may stop and restart it."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_url(restartable_server) -> str:
    """The address of the test app, served for as long as the test runs."""
    return restartable_server.url


# --- axe-core ------------------------------------------------------------------------------------

AXE_VERSION = "4.14.1"
#: The tarball's integrity as the npm registry publishes it (`npm view axe-core@4.14.1 dist.integrity`).
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_CACHE = Path(sys.prefix) / f"axe-core-{AXE_VERSION}" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: Runs axe in the page and returns its violations, each reduced to what a failure message needs.
AXE_RUN = """async (tags) => {
  while (window.quizappAxeBusy) await new Promise((done) => setTimeout(done, 50));
  window.quizappAxeBusy = true;
  try {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map((v) => ({
      id: v.id, help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
    }));
  } finally {
    window.quizappAxeBusy = false;
  }
}"""

#: In every page of a watched context: run axe once the page has loaded and again once it has been
#: still for a moment after a change, and report to the test through quizappAxeReport.
AXE_WATCH = """(() => {
  if (window.top !== window) return;
  const run = __RUN__;
  let timer = null;
  const report = async () => {
    const where = location.pathname + location.search;
    try { await window.quizappAxeReport(where, await run(__TAGS__)); } catch (e) { /* the page went away */ }
  };
  // What changes the page: not the text of a live region (a countdown, a save status), the inside
  // of the code editor as it is typed in, or a data- attribute (scripts' bookkeeping).
  const changes = (record) => {
    const element = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    if (!element || element.closest("[aria-live], .cm-editor")) return false;
    return !(record.type === "attributes" && record.attributeName.startsWith("data-"));
  };
  const later = (records) => {
    if (!records.some(changes)) return;
    clearTimeout(timer);
    timer = setTimeout(report, 300);
  };
  addEventListener("load", () => {
    report();
    new MutationObserver(later).observe(document.documentElement, {subtree: true, childList: true, attributes: true});
  });
})();""".replace("__RUN__", AXE_RUN).replace("__TAGS__", json.dumps(AXE_TAGS))


def _fetch_axe() -> str:
    """axe.min.js from the cache, else from the npm registry once its integrity hash matches."""
    if AXE_CACHE.exists():
        return AXE_CACHE.read_text(encoding="utf-8")
    with urllib.request.urlopen(AXE_TARBALL, timeout=60) as response:  # noqa: S310 - a fixed https URL
        tarball = response.read()
    algorithm, _, expected = AXE_INTEGRITY.partition("-")
    if base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode() != expected:
        raise OSError(f"{AXE_TARBALL} does not match the pinned integrity hash")
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        source = member.read().decode("utf-8")
    AXE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed: pytest-xdist's workers may fetch it at the same time.
    partial = AXE_CACHE.with_name(f"{AXE_CACHE.name}.{os.getpid()}")
    partial.write_text(source, encoding="utf-8")
    partial.replace(AXE_CACHE)
    return source


class Axe:
    """axe-core's findings over the pages of a test, by page, rule and element."""

    def __init__(self, source: str | None, reason: str) -> None:
        self.source = source
        #: Why the checks are not run, when they are not.
        self.reason = reason
        self.found: dict[tuple[str, str, str], str] = {}
        self.label = ""

    def watch(self, context: BrowserContext) -> None:
        """Check every page of ``context`` as it loads and changes."""
        if self.source is None:
            return
        context.expose_binding(
            "quizappAxeReport", lambda _source, where, violations: self._add(where, violations)
        )
        context.add_init_script(self.source)
        context.add_init_script(AXE_WATCH)

    def check(self, page: Page, label: str = "") -> None:
        """Check ``page`` as it is now; ``label`` names its state (say, the colour scheme)."""
        if self.source is None or page.is_closed():
            return
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(self.source + ";undefined")  # a page from before the watch began
        where = page.evaluate("location.pathname + location.search")
        self._add(where, page.evaluate(AXE_RUN, AXE_TAGS), label)

    def _add(self, where: str, violations: list[dict], label: str = "") -> None:
        place = f"{where} ({label or self.label})" if (label or self.label) else where
        for v in violations:
            for node in v["nodes"]:
                detail = " ".join(node["summary"].split())
                self.found[(place, v["id"], node["target"])] = f"{v['help']}. {detail}"

    def failures(self) -> str:
        lines = [f"axe-core {AXE_VERSION} found {len(self.found)} WCAG 2.2 AA violation(s):"]
        for (place, rule, target), why in sorted(self.found.items()):
            lines.append(f"  {place}: {rule} at {target}: {why}")
        return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_source() -> tuple[str | None, str]:
    """axe-core's script, or None and why it could not be had."""
    try:
        return _fetch_axe(), ""
    except (OSError, tarfile.TarError, KeyError) as exc:
        reason = f"axe-core {AXE_VERSION} could not be fetched from {AXE_TARBALL}: {exc}"
        if os.environ.get("CI") == "true" or os.environ.get("QUIZAPP_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        return None, reason


@pytest.fixture
def axe(request, axe_source) -> Iterator[Axe]:
    """axe-core watching the test's browser context (more with ``axe.watch``); any violation found
    on a page the test reached, or on its open pages at the end, fails the test."""
    checks = Axe(*axe_source)
    if "page" in request.fixturenames:
        context: BrowserContext = request.getfixturevalue("context")
        checks.watch(context)
    yield checks
    if "page" in request.fixturenames:
        for page in context.pages:
            checks.check(page)
    assert not checks.found, checks.failures()


@pytest.fixture(autouse=True)
def _axe_on_every_page(axe: Axe) -> None:
    """Every browser test's pages are checked (see ``axe``)."""
