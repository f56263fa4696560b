"""Take the README's screenshots: a quiz in progress at 1280×800 (docs/screenshot.png) and on a
390×844 phone (docs/screenshot-phone.png); and docs/live.md's: a live game's host screen after a
question (docs/live-host.png) and a phone answering one (docs/live-phone.png).

The app runs from a throwaway folder with the shipped banks (questions/) and one demo learner, on a
loopback port, and Debian's Chromium (QUIZAPP_CHROMIUM, default /usr/bin/chromium) is driven by
Playwright. Run it with `make screenshots`; `--out DIR` writes the two files elsewhere.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import threading
from pathlib import Path

import flask_migrate
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from quizapp import create_app
from quizapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("QUIZAPP_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "a demo password"  # noqa: S105 - a throwaway account in a temporary database
SHOTS = {
    "screenshot.png": {"width": 1280, "height": 800},
    "screenshot-phone.png": {"width": 390, "height": 844},
}


def demo_app(folder: Path) -> Flask:
    """The app on a new database in ``folder``, with the shipped banks and the learner Ada."""
    config = {
        "SECRET_KEY": "screenshots",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}",
        "BANKS_DIR": str(ROOT / "questions"),
    }
    with create_app(config).app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    app = create_app(config)  # started again on the migrated database, as a first run would be
    for account in (["ada", "--display-name", "Ada Lovelace"], ["prof", "--role", "instructor"]):
        made = app.test_cli_runner().invoke(args=["users", "create", *account], input=f"{PASSWORD}\n")
        if made.exit_code != 0:
            raise SystemExit(made.output)
    return app


def quiz_in_progress(page: Page, url: str) -> None:
    """Log in as Ada, start the first quiz of the home page and pick an answer to its first choice
    question (the quiz shuffles its questions, so that may not be the first one)."""
    page.goto(f"{url}/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("section.bank .quizzes a").first.click()
    page.get_by_role("button", name=re.compile("^(Start attempt|Continue your attempt)$")).click()
    expect(page.get_by_text("Question 1 of")).to_be_visible()
    page.locator("fieldset.question .choice input").first.check()
    page.evaluate("window.scrollTo(0, 0)")  # the page's top: the header, the title, the first question


def live_game(browser: Browser, url: str, out: Path) -> None:
    """Open a live game of the first quiz as the instructor, join three phones, shoot the first
    phone as a choice question opens, let everyone answer, and shoot the host's screen after it."""
    host = browser.new_context(viewport=SHOTS["screenshot.png"], color_scheme="light").new_page()
    host.goto(f"{url}/login")
    host.get_by_label("Username").fill("prof")
    host.get_by_label("Password", exact=True).fill(PASSWORD)
    host.get_by_role("button", name="Log in").click()
    host.goto(f"{url}/live/new?bank=csto-2022&quiz=founding")
    host.get_by_role("button", name="Open the game").click()
    pin = host.locator("#live-pin").inner_text().replace(" ", "")
    phones = []
    for nickname in ("Aigerim", "Bolat", "Chen"):
        phone = browser.new_context(viewport=SHOTS["screenshot-phone.png"], color_scheme="light").new_page()
        phone.goto(f"{url}/live/join/{pin}")
        phone.get_by_label("Your nickname").fill(nickname)
        phone.get_by_role("button", name="Join the game").click()
        expect(phone.get_by_text(f"You're in, {nickname}!")).to_be_visible()
        phones.append(phone)
    host.get_by_role("button", name="Start the first question").click()
    expect(phones[0].locator("#live-question")).to_be_visible()
    # The quiz shuffles its questions: skip to the first with three choices or more, the picture's.
    while phones[0].locator(".live-answer").count() < 3:
        position = phones[0].locator("#question-heading").inner_text()
        host.get_by_role("button", name="Close the question now").click()
        host.get_by_role("button", name="Next question").click()
        expect(phones[0].locator("#question-heading")).not_to_have_text(position)
        expect(phones[0].locator("#live-question")).to_be_visible()
    phones[0].screenshot(path=out / "live-phone.png")
    print(f"wrote {out / 'live-phone.png'}")
    for n, phone in enumerate(phones):
        phone.locator(".live-answer").nth(n % 2).click()
        send = phone.locator(".live-send")
        if send.count():
            send.click()
        expect(phone.locator("#live-outcome")).to_have_text("Answer sent")
    host.get_by_role("button", name="Close the question now").click()
    expect(host.locator(".live-top")).to_be_visible()
    host.screenshot(path=out / "live-host.png", full_page=True)
    print(f"wrote {out / 'live-host.png'}")
    for page in (host, *phones):
        page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder to write the PNG files to")
    out = parser.parse_args().out
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                for name, viewport in SHOTS.items():
                    page = browser.new_context(viewport=viewport, color_scheme="light").new_page()
                    quiz_in_progress(page, url)
                    page.screenshot(path=out / name)
                    page.context.close()
                    print(f"wrote {out / name}")
                live_game(browser, url, out)
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
