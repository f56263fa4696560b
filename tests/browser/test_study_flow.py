"""A learner studies flashcards in a real Chromium, with the keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import browser_register

pytestmark = pytest.mark.browser

#: The first cards of the every-type deck, in bank order: (front, answer).
CARDS = [
    ("Pick the capital of Kazakhstan.", "Astana"),
    ("Pick the members.", "Russia; Belarus"),
    ("The treaty came before the organisation.", "True"),
]


def test_a_learner_studies_three_cards_with_the_keyboard_only(page: Page, live_url: str):
    browser_register(page, live_url, "ada", "Ada Lovelace")
    page.goto(f"{live_url}/study/every-type")
    status = page.locator("#study-status")
    expect(status).to_have_attribute("aria-live", "polite")

    for front, answer in CARDS:
        expect(page.locator("#front")).to_have_text(front)
        expect(status).to_have_text("New card.")
        expect(page.locator("#back")).to_have_count(0)
        page.wait_for_load_state("load")  # study.js listens for the keys once the page has run it

        page.keyboard.press("Space")

        expect(page.locator("#back .answer")).to_have_text(answer)
        expect(status).to_have_text("Answer shown. Rate it with 1 to 4.")
        buttons = page.locator(".ratings button")
        expect(buttons).to_have_count(4)
        for key, label in enumerate(["Again", "Hard", "Good", "Easy"], start=1):
            button = page.get_by_role("button", name=re.compile(rf"^{label}\b"))
            expect(button.locator("kbd")).to_have_text(str(key))
            expect(button.locator(".hint")).to_have_text(re.compile(r"^\d+(m|h|d|mo|\.\dy)$"))
        page.wait_for_load_state("load")

        page.keyboard.press("3")  # Good

        expect(page.locator("#front")).not_to_have_text(front)

    expect(page.locator("#front")).to_have_text("Name the city.")
    page.goto(f"{live_url}/study/")
    expect(page.locator(".facts")).to_contain_text("Reviewed today")
    expect(page.locator(".facts dd").nth(2)).to_have_text("3")
