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


@pytest.fixture
def live_url(app):
    """The test app served on a free loopback port for as long as the test runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
