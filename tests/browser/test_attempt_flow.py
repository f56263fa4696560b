"""A learner takes a paged, sometimes timed, attempt in a real Chromium: answers are saved as they
are typed, survive reloads, the back button, a lost session and a server restart, and a countdown
hands them in when time is up."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Response, utcnow
from tests.factories import browser_register

pytestmark = pytest.mark.browser

#: Five short questions, two to a page; a one-minute quiz and a ten-minute one.
GEO_BANK = """\
    title: Geography
    questions:
      - {id: kz, type: text, prompt: Capital of Kazakhstan?, answer: [Astana]}
      - {id: ocean, type: single, prompt: Largest ocean?, choices: [Pacific, Atlantic], answer: Pacific}
      - {id: am, type: text, prompt: Capital of Armenia?, answer: [Yerevan]}
      - {id: ge, type: text, prompt: Capital of Georgia?, answer: [Tbilisi]}
      - {id: sum, type: single, prompt: Two plus two?, choices: [Four, Five], answer: Four}
    quizzes:
      - {id: paged, title: Paged, questions: [kz, ocean, am, ge, sum], per_page: 2}
      - {id: timed, title: Timed, questions: [kz, ocean], time_limit: 1m}
      - {id: long, title: Long, questions: [kz], time_limit: 10m}
"""


@pytest.fixture
def learner(page: Page, live_url: str, make_bank) -> Page:
    """A page logged in as Ada, a new learner, with the geography bank on the server."""
    make_bank("geo", GEO_BANK)
    browser_register(page, live_url, "ada", "Ada Lovelace")
    return page


def start(page: Page, live_url: str, quiz_id: str) -> int:
    """Start an attempt from the quiz's page; returns its id."""
    page.goto(f"{live_url}/banks/geo/quizzes/{quiz_id}")
    page.get_by_role("button", name="Start attempt").click()
    expect(page.get_by_text("Question 1 of")).to_be_visible()
    page.wait_for_load_state("load")  # quiz.js has run: what is typed from now on is autosaved
    return int(re.search(r"/attempts/(\d+)", page.url).group(1))


def version(page: Page) -> str:
    return page.locator("#quiz").get_attribute("data-draft-version")


def expect_saved(page: Page, since: str) -> None:
    """Wait for the autosave to store everything typed after the page held draft version ``since``."""
    expect(page.locator("#quiz")).not_to_have_attribute("data-draft-version", since)
    expect(page.locator("#save-status")).to_contain_text("All answers saved at")


def drafts(app, attempt_id: int) -> dict[int, dict | None]:
    """The drafts stored on the server, by question position."""
    with app.app_context():
        rows = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id))
        return {r.position: r.draft for r in rows}


def set_deadline(app, attempt_id: int, seconds: float) -> None:
    with app.app_context():
        db.session.get(Attempt, attempt_id).deadline = utcnow() + timedelta(seconds=seconds)
        db.session.commit()


def test_an_answer_is_saved_as_it_is_typed_and_is_there_after_a_reload(learner: Page, live_url: str, app):
    attempt_id = start(learner, live_url, "paged")
    before = version(learner)
    learner.get_by_label("Capital of Kazakhstan?").fill("Astana")
    expect_saved(learner, before)

    learner.evaluate("localStorage.clear()")  # what comes back must come from the server
    learner.reload()
    expect(learner.get_by_label("Capital of Kazakhstan?")).to_have_value("Astana")
    assert drafts(app, attempt_id)[0] == {"q0": ["Astana"]}


def test_continue_your_attempt_brings_back_the_answers_saved(learner: Page, live_url: str):
    start(learner, live_url, "paged")
    before = version(learner)
    learner.get_by_label("Largest ocean?").get_by_label("Atlantic").check()
    expect_saved(learner, before)

    learner.goto(f"{live_url}/banks/geo/quizzes/paged")
    learner.get_by_role("button", name="Continue your attempt").click()
    expect(learner.get_by_label("Atlantic")).to_be_checked()
    expect(learner.locator("#progress-text")).to_have_text("1 of 5 answered")


def test_the_back_button_shows_the_answers_of_the_page_left(learner: Page, live_url: str):
    start(learner, live_url, "paged")
    learner.get_by_label("Capital of Kazakhstan?").fill("Astana")
    learner.get_by_role("button", name="Next page").click()
    expect(learner.get_by_text("Question 3 of 5")).to_be_visible()

    learner.go_back()
    expect(learner.get_by_label("Capital of Kazakhstan?")).to_have_value("Astana")
    expect(learner.get_by_role("button", name="1 · answered", exact=True)).to_be_visible()
    expect(learner.locator("#restore")).to_be_hidden()


def test_answers_typed_after_the_session_ended_are_saved_once_the_learner_logs_in_again(
    learner: Page, live_url: str, app
):
    attempt_id = start(learner, live_url, "paged")
    before = version(learner)
    learner.get_by_label("Capital of Kazakhstan?").fill("Astana")
    expect_saved(learner, before)

    learner.context.clear_cookies()
    learner.get_by_label("Pacific").check()
    status = learner.locator("#save-status")
    expect(status).to_contain_text("Not saved — your session ended. Log in to save them")
    expect(status.get_by_role("link", name="Log in")).to_have_attribute(
        "href", f"/login?next=/attempts/{attempt_id}"
    )

    learner.reload()
    learner.get_by_label("Username").fill("ada")
    learner.get_by_label("Password", exact=True).fill("a long password")
    learner.get_by_role("button", name="Log in").click()
    expect(learner).to_have_url(re.compile(rf"/attempts/{attempt_id}$"))
    expect(learner.get_by_label("Capital of Kazakhstan?")).to_have_value("Astana")
    expect(learner.get_by_label("Pacific")).to_be_checked()
    expect(status).to_contain_text("All answers saved at")
    assert drafts(app, attempt_id)[1] == {"q1": ["0"]}


def test_answers_typed_while_the_server_restarts_are_saved_when_it_is_back(
    learner: Page, live_url: str, restartable_server
):
    start(learner, live_url, "paged")
    before = version(learner)
    learner.get_by_label("Capital of Kazakhstan?").fill("Astana")
    expect_saved(learner, before)

    restartable_server.stop()
    learner.get_by_label("Pacific").check()
    status = learner.locator("#save-status")
    expect(status).to_have_text("Not saved — retrying")
    restartable_server.start()
    expect(status).to_contain_text("All answers saved at", timeout=10_000)

    learner.evaluate("localStorage.clear()")
    learner.reload()
    expect(learner.get_by_label("Capital of Kazakhstan?")).to_have_value("Astana")
    expect(learner.get_by_label("Pacific")).to_be_checked()


def test_when_time_is_up_the_page_hands_in_the_saved_answers_by_itself(learner: Page, live_url: str, app):
    attempt_id = start(learner, live_url, "timed")
    set_deadline(app, attempt_id, 62.5)
    learner.reload()
    expect(learner.locator("#timer-left")).to_have_text(re.compile(r"^1:0[0-3]$"))
    expect(learner.locator("#timer-announce")).to_have_text("1 minute left", timeout=5_000)

    set_deadline(app, attempt_id, 4)
    learner.reload()
    learner.get_by_label("Capital of Kazakhstan?").fill("Astana")
    expect(learner.get_by_text("Time is up: your attempt was submitted automatically")).to_be_visible(
        timeout=15_000
    )
    expect(learner.get_by_role("status").filter(has_text="You scored")).to_contain_text("1 / 2")
    graded = learner.locator(".result").filter(has_text="Capital of Kazakhstan?")
    expect(graded).to_contain_text("Astana")
    expect(graded.locator(".outcome")).to_have_text(re.compile(r"Right\s+1 / 1"))


def test_the_countdown_ticks_without_announcing_every_second(learner: Page, live_url: str):
    start(learner, live_url, "long")
    left = learner.locator("#timer-left")
    expect(left).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    learner.evaluate(
        """() => {
            window.announced = 0;
            new MutationObserver(() => window.announced++).observe(
                document.getElementById("timer-announce"), {childList: true, characterData: true, subtree: true});
        }"""
    )
    for _ in range(2):
        shown = left.inner_text()
        expect(left).not_to_have_text(shown)
    assert learner.evaluate("window.announced") == 0
    expect(learner.locator("#timer-announce")).to_have_text("")


def test_pages_and_the_navigator_lead_to_a_summary_and_the_result(learner: Page, live_url: str):
    start(learner, live_url, "paged")
    navigator = learner.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("button")).to_have_count(5)
    expect(learner.get_by_text("Question 3 of 5")).to_be_hidden()

    learner.get_by_label("Capital of Kazakhstan?").fill("Astana")
    learner.locator("#q1").get_by_label("Flag for review").check()
    first = navigator.get_by_role("button", name="1 · answered", exact=True)
    second = navigator.get_by_role("button", name="2 · not answered · flagged", exact=True)
    expect(first).to_have_class(re.compile(r"\banswered\b"))
    expect(second).to_have_class(re.compile(r"\bflagged\b"))
    expect(learner.locator("#progress-text")).to_have_text("1 of 5 answered")

    learner.get_by_role("button", name="Next page").click()
    expect(learner.get_by_text("Question 3 of 5")).to_be_visible()
    expect(first).to_be_visible()
    expect(second).to_be_visible()
    learner.get_by_label("Capital of Georgia?").fill("Batumi")

    navigator.get_by_role("button", name="5 · not answered").click()
    expect(learner).to_have_url(re.compile(r"page=3#q4$"))
    expect(learner.get_by_text("Question 5 of 5")).to_be_visible()
    expect(navigator.get_by_role("button", name="4 · answered", exact=True)).to_be_visible()

    learner.get_by_role("button", name="Finish attempt…").click()
    expect(learner.get_by_role("status")).to_have_text(
        "3 questions not answered; 1 flagged for review; 2 of 5 answered."
    )
    row = learner.get_by_role("row").filter(has_text="Question 2")
    expect(row).to_contain_text("Not answered")
    expect(row).to_contain_text("Flagged")
    expect(learner.get_by_role("row").filter(has_text="Question 4")).to_contain_text("Answer saved")

    learner.get_by_role("button", name="Submit all and finish").click()
    expect(learner.get_by_role("status").filter(has_text="You scored")).to_contain_text("1 / 5")
    tally = learner.locator(".tally")
    expect(tally).to_contain_text("1 right")
    expect(tally).to_contain_text("1 wrong")
    expect(tally).to_contain_text("3 not answered")


def test_the_navigator_works_from_the_keyboard_and_enter_in_an_answer_stays_on_the_page(
    learner: Page, live_url: str
):
    start(learner, live_url, "paged")
    navigator = learner.get_by_role("navigation", name="Questions")
    navigator.get_by_role("button", name="1 · not answered").focus()
    learner.keyboard.press("Tab")
    learner.keyboard.press("Tab")
    third = navigator.get_by_role("button", name="3 · not answered")
    expect(third).to_be_focused()
    learner.keyboard.press("Enter")
    expect(learner.get_by_text("Question 3 of 5")).to_be_visible()
    expect(navigator.get_by_role("button", name="3 · not answered")).to_have_attribute("aria-current", "page")

    answer = learner.get_by_label("Capital of Armenia?")
    answer.fill("Yerevan")
    here = learner.url
    answer.press("Enter")
    expect(learner.locator("#save-status")).to_contain_text("All answers saved at")
    expect(answer).to_be_focused()  # no reload took the learner's place away
    assert learner.url == here


def test_answers_kept_in_this_browser_that_differ_from_the_saved_ones_are_offered_not_forced(
    learner: Page, live_url: str, app
):
    attempt_id = start(learner, live_url, "paged")
    before = version(learner)
    learner.get_by_label("Capital of Kazakhstan?").fill("Astana")
    expect_saved(learner, before)
    older = {
        "base": int(before),
        "dirty": True,
        "savedAt": "2026-01-01T09:30:00",
        "positions": {"0": [["q0", "Almaty"]], "3": [["q3", "Tbilisi"]]},
        "flags": {"0": False, "3": True},
    }
    learner.evaluate(
        "([key, copy]) => localStorage.setItem(key, copy)",
        [f"quizapp:attempt:{attempt_id}", json.dumps(older)],
    )

    learner.reload()
    restore = learner.locator("#restore")
    expect(restore).to_contain_text(
        "This browser holds answers typed at 09:30 that differ from the saved ones"
    )
    expect(learner.get_by_label("Capital of Kazakhstan?")).to_have_value("Astana")
    learner.get_by_role("button", name="Use this browser's answers").click()
    expect(restore).to_be_hidden()
    expect(learner.get_by_label("Capital of Kazakhstan?")).to_have_value("Almaty")
    expect(learner.locator("#save-status")).to_contain_text("All answers saved at")
    saved = drafts(app, attempt_id)
    assert (saved[0], saved[3]) == ({"q0": ["Almaty"]}, {"q3": ["Tbilisi"]})
    expect(learner.get_by_role("button", name="4 · answered · flagged", exact=True)).to_be_visible()


def test_a_tab_left_open_on_a_submitted_attempt_stops_saving_and_says_so(learner: Page, live_url: str):
    attempt_id = start(learner, live_url, "paged")
    stale = learner.context.new_page()
    stale.goto(learner.url)
    learner.goto(f"{live_url}/attempts/{attempt_id}/summary")
    learner.get_by_role("button", name="Submit all and finish").click()
    expect(learner.get_by_text("You scored")).to_be_visible()

    stale.get_by_label("Capital of Kazakhstan?").fill("Astana")
    status = stale.locator("#save-status")
    expect(status).to_have_text("This attempt was already submitted. Show the attempt.")
    assert stale.evaluate(f"localStorage.getItem('quizapp:attempt:{attempt_id}')") is None
    status.get_by_role("link", name="Show the attempt").click()
    expect(stale.get_by_text("You scored")).to_be_visible()
