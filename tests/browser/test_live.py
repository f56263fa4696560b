"""A live game in a real Chromium: one host screen and three phones play a two-question quiz over
Socket.IO, served by the tests' threaded server (WebSockets through simple-websocket, after the
client's first long-polling requests)."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from tests.factories import PHONE, browser_log_in, free_port, make_instructor

pytestmark = pytest.mark.browser

TWO_QUESTIONS = """\
title: Live test
description: Two questions to play live.
source:
  title: Test source
  paragraphs: 3
questions:
  - id: capital
    type: single
    prompt: Pick the capital of Kazakhstan.
    choices: [Astana, Bishkek, Dushanbe]
    answer: Astana
    explanation: EXPLANATION-CAPITAL
    source: 1
  - id: treaty
    type: true_false
    prompt: The treaty came before the organisation.
    answer: true
    explanation: EXPLANATION-TREATY
quizzes:
  - id: two
    title: Two questions
    questions: [capital, treaty]
"""


def host_opens(page: Page, live_url: str, bank: str, quiz: str) -> str:
    """The host 'prof' logs in and opens an open game of ``quiz``: its PIN, once the host's screen
    has connected."""
    browser_log_in(page, live_url, "prof")
    page.goto(f"{live_url}/live/new?bank={bank}&quiz={quiz}")
    page.get_by_role("button", name="Open the game").click()
    pin = page.locator("#live-pin").inner_text().replace(" ", "")
    expect(page.locator("#live-status")).to_have_text("Connected.")
    return pin


def join(browser: Browser, axe, live_url: str, pin: str, nickname: str) -> Page:
    """A phone of its own (its own storage, so its own player) joins with the PIN and a nickname."""
    context = browser.new_context(viewport=PHONE)
    axe.watch(context)
    phone = context.new_page()
    phone.goto(f"{live_url}/live")
    phone.get_by_label("Game PIN").fill(pin)
    phone.get_by_role("button", name="Join").click()
    phone.get_by_label("Your nickname").fill(nickname)
    phone.get_by_role("button", name="Join the game").click()
    expect(phone.get_by_role("heading", name=f"You're in, {nickname}!")).to_be_visible()
    return phone


def test_a_host_and_three_phones_play_a_two_question_game(
    app, make_bank, browser: Browser, page: Page, live_url: str, axe
):
    make_bank("live-test", TWO_QUESTIONS)
    make_instructor(app, "prof")
    browser_log_in(page, live_url, "prof")
    page.goto(f"{live_url}/live/new?bank=live-test&quiz=two")
    page.get_by_label("Seconds per question").fill("120")
    page.get_by_role("button", name="Open the game").click()
    pin = page.locator("#live-pin").inner_text().replace(" ", "")
    expect(page.locator("#live-status")).to_have_text("Connected.")

    ann, ben, cat, dan = (join(browser, axe, live_url, pin, name) for name in ("Ann", "Ben", "Cat", "Dan"))
    expect(page.locator("#player-count")).to_have_text("4")
    expect(page.locator("#player-list")).to_contain_text("Cat")

    # The host removes a player, after saying what that does.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Dan from the game").click()
    expect(dan.get_by_text("The host removed you from this game.")).to_be_visible()
    expect(page.locator("#player-count")).to_have_text("3")
    expect(page.locator("#player-list")).not_to_contain_text("Dan")
    dan.context.close()

    # A nickname taken already is refused, and what was typed stays to be changed.
    dup = browser.new_context(viewport=PHONE).new_page()
    dup.goto(f"{live_url}/live/join/{pin}")
    dup.get_by_label("Your nickname").fill("ann")
    dup.get_by_role("button", name="Join the game").click()
    expect(dup.locator("#nickname-error")).to_contain_text("already plays as Ann")
    expect(dup.get_by_label("Your nickname")).to_have_value("ann")
    dup.context.close()

    page.get_by_role("button", name="Start the first question").click()
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    for phone in (ann, ben, cat):
        expect(phone.locator("#live-prompt")).to_have_text("Pick the capital of Kazakhstan.")
        expect(phone.get_by_text("EXPLANATION-CAPITAL")).to_have_count(0)
    ann.get_by_role("button", name="Astana (triangle)").click()
    ben.get_by_role("button", name="Astana (triangle)").click()
    cat.get_by_role("button", name="Bishkek (diamond)").click()
    expect(ann.locator("#live-outcome")).to_have_text("Answer sent")
    expect(page.locator("#live-answered")).to_have_text("3")

    # A phone that reloads comes back as the same player, its answer kept.
    ben.reload()
    expect(ben.locator("#live-outcome")).to_have_text("Answer sent")

    page.get_by_role("button", name="Close the question now").click()
    expect(page.get_by_role("heading", name="Question 1 of 2: the answers")).to_be_visible()
    expect(page.get_by_text("EXPLANATION-CAPITAL")).to_be_visible()
    expect(page.locator(".live-chart svg")).to_have_attribute("role", "img")
    expect(page.locator(".live-top")).to_contain_text("Ann")
    for scheme in ("dark", "light"):  # the chart, the key and the board, in either colour scheme
        page.emulate_media(color_scheme=scheme)
        axe.check(page, scheme)
    expect(ann.locator("#live-outcome")).to_have_text("\u2713 Correct")
    expect(cat.locator("#live-outcome")).to_have_text("\u2717 Wrong")
    expect(cat.locator("#live-announce")).to_contain_text("Wrong. +0 points")  # read out by screen readers
    expect(cat.locator("#live-points")).to_contain_text("+0 points")
    expect(ben.locator("#live-rank")).to_contain_text("You are")

    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    for phone, choice in ((ann, "True (triangle)"), (ben, "False (diamond)"), (cat, "True (triangle)")):
        expect(phone.locator("#live-prompt")).to_have_text("The treaty came before the organisation.")
        phone.get_by_role("button", name=choice).click()
    expect(page.locator("#live-answered")).to_have_text("3")
    page.get_by_role("button", name="Close the question now").click()
    expect(page.get_by_text("EXPLANATION-TREATY")).to_be_visible()
    expect(ben.locator("#live-outcome")).to_have_text("\u2717 Wrong")
    expect(ann.locator("#live-rank")).to_have_text("You are 1st")

    page.get_by_role("button", name="Show the podium").click()
    expect(page.get_by_role("heading", name="The podium")).to_be_visible()
    expect(page.locator(".live-place-1")).to_contain_text("Ann")
    expect(ann.get_by_role("heading", name="Game over")).to_be_visible()
    expect(ann.locator("#over-text")).to_contain_text("You finished 1st")

    page.get_by_role("button", name="Finish and keep the results").click()
    expect(page.get_by_role("heading", name="The game is over")).to_be_visible()
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("row").filter(has_text="Ann")).to_contain_text("2 of 2")
    for phone in (ann, ben, cat):
        phone.context.close()


TYPED = """\
title: Typed answers
description: Several right choices, a word and a number.
questions:
  - id: members
    type: multi
    prompt: Pick the members.
    choices: [Russia, Belarus, Georgia, Ukraine]
    answer: [Russia, Belarus]
    explanation: EXPLANATION-MEMBERS
  - id: city
    type: text
    prompt: Name the city.
    answer: [Zyxwvuts City]
  - id: count
    type: numeric
    prompt: How many?
    answer: 42
    tolerance: 0.5
quizzes:
  - id: typed
    title: Typed answers
    questions: [members, city, count]
"""


def test_a_phone_answers_several_choices_a_word_and_a_number(
    app, make_bank, browser: Browser, page: Page, live_url: str, axe
):
    make_bank("typed", TYPED)
    make_instructor(app, "prof")
    pin = host_opens(page, live_url, "typed", "typed")
    phone = join(browser, axe, live_url, pin, "Eve")

    page.get_by_role("button", name="Start the first question").click()
    send = phone.get_by_role("button", name="Send answer")
    send.click()
    expect(phone.get_by_text("Pick at least one answer first.")).to_be_visible()
    phone.get_by_role("button", name="Russia (triangle)").click()
    expect(phone.get_by_role("button", name="Russia (triangle)")).to_have_attribute("aria-pressed", "true")
    georgia = phone.get_by_role("button", name="Georgia (circle)")
    georgia.click()
    georgia.click()  # picked, then unpicked
    expect(georgia).to_have_attribute("aria-pressed", "false")
    send.click()
    expect(phone.locator("#live-outcome")).to_have_text("Answer sent")
    page.get_by_role("button", name="Close the question now").click()
    expect(phone.locator("#live-outcome")).to_have_text("\u25d0 Partly right")  # one of two right choices
    expect(phone.locator("#live-points")).not_to_contain_text("+0 points")

    page.get_by_role("button", name="Next question").click()
    phone.get_by_role("button", name="Send answer").click()
    expect(phone.get_by_text("Type an answer first.")).to_be_visible()
    phone.get_by_label("Your answer").fill("  zyxwvuts city ")
    phone.get_by_role("button", name="Send answer").click()
    expect(phone.locator("#live-outcome")).to_have_text("Answer sent")
    page.get_by_role("button", name="Close the question now").click()
    expect(phone.locator("#live-outcome")).to_have_text("\u2713 Correct")

    page.get_by_role("button", name="Next question").click()
    phone.get_by_label("Your answer (a number)").fill("42.3")
    phone.keyboard.press("Enter")
    expect(phone.locator("#live-outcome")).to_have_text("Answer sent")
    page.get_by_role("button", name="Close the question now").click()
    expect(phone.locator("#live-outcome")).to_have_text("\u2713 Correct")
    expect(phone.locator("#live-rank")).to_have_text("You are 1st")
    phone.context.close()


def test_a_class_game_takes_its_signed_in_students_by_name_and_counts_in_the_gradebook(
    app, make_bank, seed, browser: Browser, page: Page, live_url: str, axe
):
    make_bank("live-test", TWO_QUESTIONS)
    make_instructor(app, "prof")
    made = app.test_cli_runner().invoke(
        args=["users", "create", "ada", "--display-name", "Ada Lovelace"], input="a long password\n"
    )
    assert made.exit_code == 0, made.output
    class_id = seed.classroom(
        name="Politics", quizzes=(("live-test", "two"),), students=(seed.user_id("ada"),)
    )
    browser_log_in(page, live_url, "prof")
    page.goto(f"{live_url}/teach/classes/{class_id}")
    page.get_by_role("link", name="Play live: Two questions").click()
    expect(page.get_by_label("Who plays")).to_have_value(str(class_id))
    page.get_by_label("Counts in the class's gradebook").check()
    page.get_by_role("button", name="Open the game").click()
    pin = page.locator("#live-pin").inner_text().replace(" ", "")

    context = browser.new_context(viewport=PHONE)
    axe.watch(context)
    phone = context.new_page()
    browser_log_in(phone, live_url, "ada")
    phone.get_by_role("link", name="Join a live game").click()
    phone.get_by_label("Game PIN").fill(pin)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You're in, Ada Lovelace!")).to_be_visible()
    expect(page.locator("#player-list")).to_contain_text("Ada Lovelace")

    page.get_by_role("button", name="Start the first question").click()
    phone.get_by_role("button", name="Astana (triangle)").click()
    expect(phone.locator("#live-outcome")).to_have_text("Answer sent")  # the server has it
    page.get_by_role("button", name="Close the question now").click()
    expect(phone.locator("#live-outcome")).to_have_text("\u2713 Correct")
    page.get_by_role("button", name="Next question").click()
    page.get_by_role("button", name="Close the question now").click()  # Ada does not answer
    expect(phone.locator("#live-outcome")).to_have_text("No answer")
    page.get_by_role("button", name="Show the podium").click()
    page.get_by_role("button", name="Finish and keep the results").click()
    expect(page.get_by_text("each player's answers count in the class's gradebook")).to_be_visible()
    page.goto(f"{live_url}/teach/classes/{class_id}/gradebook")
    expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_contain_text("50% (1 attempt)")
    context.close()


def test_pages_on_one_port_play_over_the_live_port_as_make_serve_serves_them(
    another_app, make_bank, browser: Browser, axe
):
    """`make serve` serves pages on one port and live connections on the next: the pages' script
    must connect to that port with the host's login, which the site's Content-Security-Policy
    ("this origin only" elsewhere) and the live server's origin check let through. The host then
    ends the game after its first question."""
    make_bank("live-test", TWO_QUESTIONS)
    live_port = free_port()
    served = another_app(LIVE_SOCKET_PORT=live_port, LIVE_SWEEP_SECONDS=0)
    make_instructor(served, "prof")
    servers = [make_server("127.0.0.1", port, served, threaded=True) for port in (0, live_port)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = f"http://127.0.0.1:{servers[0].server_port}"
    try:
        context = browser.new_context()
        axe.watch(context)
        host = context.new_page()
        pin = host_opens(host, pages, "live-test", "two")

        phone = join(browser, axe, pages, pin, "Ann")
        expect(host.locator("#player-count")).to_have_text("1")
        host.get_by_role("button", name="Start the first question").click()
        expect(phone.locator("#live-prompt")).to_have_text("Pick the capital of Kazakhstan.")
        phone.get_by_role("button", name="Astana (triangle)").click()
        expect(host.locator("#live-answered")).to_have_text("1")

        # The bell rings after the first question: the host ends the game there, after saying so.
        host.get_by_role("button", name="Close the question now").click()
        host.once("dialog", lambda dialog: dialog.accept())
        host.get_by_role("button", name="End the game here").click()
        expect(host.get_by_role("heading", name="The podium")).to_be_visible()
        expect(host.locator(".live-podium")).to_contain_text("Ann")
        expect(host.locator("table")).not_to_contain_text("The treaty came before")  # never played
        phone.context.close()
        context.close()
    finally:
        for server in servers:
            server.shutdown()
