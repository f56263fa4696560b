"""A learner registers, takes a quiz and reads the result, in a real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import browser_register

pytestmark = pytest.mark.browser


def test_a_learner_registers_takes_a_quiz_and_sees_the_result(page: Page, live_url: str):
    browser_register(page, live_url, "ada", "Ada Lovelace")

    page.get_by_role("link", name="Every type").click()
    page.get_by_role("button", name="Start attempt").click()
    expect(page.get_by_text("Question 1 of 7")).to_be_visible()
    expect(page.locator("#progress-text")).to_have_text("0 of 7 answered")

    page.get_by_label("Astana").check()
    page.get_by_label("Russia").check()
    page.get_by_label("Belarus").check()
    page.get_by_label("True", exact=True).check()
    page.get_by_label("Name the city.").fill("  zyxwvuts   CITY. ")
    page.get_by_label("How many?").fill("98765,6")
    for position, item in enumerate(
        ["Alpha first", "Bravo second", "Charlie third", "Delta fourth"], start=1
    ):
        page.get_by_label(f"Position of {item}").select_option(str(position))
    for leader, country in [("Tokayev", "Kazakhstan"), ("Lukashenko", "Belarus"), ("Pashinyan", "Armenia")]:
        page.get_by_label(leader, exact=True).select_option(label=country)
    expect(page.locator("#progress-text")).to_have_text("7 of 7 answered")

    page.get_by_role("button", name="Finish attempt…").click()
    expect(page.get_by_role("status")).to_have_text("7 of 7 answered.")
    page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_role("status").filter(has_text="You scored")).to_contain_text("7 / 7 (100%)")
    expect(page.get_by_text("EXPLANATION-ORDER")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="History").click()
    expect(page.get_by_role("cell", name="7 / 7 (100%)")).to_be_visible()
    page.get_by_role("link", name="#1").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.get_by_text("You scored")).to_be_visible()


def test_the_quiz_works_from_the_keyboard_alone(page: Page, live_url: str):
    browser_register(page, live_url, "kim", "Kim", by_keyboard=True)
    page.goto(f"{live_url}/banks/every-type/quizzes/all")
    page.get_by_role("button", name="Start attempt").focus()
    page.keyboard.press("Enter")

    order = page.get_by_label("Position of Alpha first")
    order.focus()
    page.keyboard.press("ArrowDown")  # first position
    expect(order).to_have_value("1")
    match = page.get_by_label("Tokayev", exact=True)
    match.focus()
    page.keyboard.press("ArrowDown")
    expect(match).not_to_have_value("")
    page.get_by_label("Astana").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Astana")).to_be_checked()


def test_the_summary_lists_blank_questions_before_submitting(page: Page, live_url: str):
    browser_register(page, live_url, "lee", "Lee")
    page.goto(f"{live_url}/banks/every-type/quizzes/all")
    page.get_by_role("button", name="Start attempt").click()
    page.get_by_label("Astana").check()

    page.get_by_role("button", name="Finish attempt…").click()
    expect(page.get_by_role("status")).to_have_text("6 questions not answered; 1 of 7 answered.")
    expect(page.get_by_text("questions left blank score zero")).to_be_visible()
    page.get_by_role("link", name="Return to the attempt").click()
    expect(page.get_by_label("Astana")).to_be_checked()

    page.get_by_role("button", name="Finish attempt…").click()
    page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_role("status").filter(has_text="You scored")).to_contain_text("1 / 7")
