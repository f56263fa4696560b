"""Real-browser tests: Debian's Chromium driven by Playwright against the app on a loopback port.

The browser is never downloaded. Its path comes from QUIZAPP_CHROMIUM (default /usr/bin/chromium);
without it these tests are skipped, unless QUIZAPP_REQUIRE_BROWSER=1 (as in CI) makes that a failure.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("QUIZAPP_CHROMIUM", "/usr/bin/chromium"))
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
