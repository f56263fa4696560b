"""An instructor runs a class and edits a bank in a real Chromium, with the vendored code editor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DATA, browser_log_in, browser_register, make_instructor

pytestmark = pytest.mark.browser


def test_an_instructor_makes_a_class_and_a_student_joins_it(page: Page, live_url: str, app, axe):
    make_instructor(app, "prof")
    browser_log_in(page, live_url, "prof")
    page.get_by_role("navigation").get_by_role("link", name="Teach").click()
    page.get_by_label("Class name").fill("Eurasian security, autumn")
    page.get_by_role("button", name="Create class").click()
    code = page.locator("#join-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    other = page.context.browser.new_context()
    axe.watch(other)
    student = other.new_page()
    browser_register(student, live_url, "ada", "Ada Lovelace")
    student.get_by_label("Class code").fill(code.lower().replace("-", " "))
    student.get_by_role("button", name="Join class").click()
    expect(student.get_by_text("You joined Eurasian security, autumn.")).to_be_visible()

    page.reload()
    expect(page.get_by_role("cell", name="Ada Lovelace", exact=True)).to_be_visible()


def test_an_instructor_fixes_a_broken_bank_in_the_editor_and_a_stale_tab_gets_a_conflict(
    page: Page, live_url: str, app
):
    make_instructor(app, "prof")
    granted = app.test_cli_runner().invoke(args=["banks", "grant", "every-type", "prof", "--as", "owner"])
    assert granted.exit_code == 0, granted.output
    browser_log_in(page, live_url, "prof")
    editor_url = f"{live_url}/teach/banks/every-type/edit"
    stale = page.context.new_page()
    stale.goto(editor_url)
    expect(stale.locator(".cm-content")).to_be_visible()

    page.goto(editor_url)
    editor = page.locator(".cm-content")
    expect(editor).to_be_visible()
    expect(page.locator(".cm-lineNumbers")).to_be_visible()
    editor.click()
    page.keyboard.press("Control+End")  # the empty line after the file's last line break
    page.keyboard.type("bogus_field: 1")
    page.get_by_role("button", name="Validate").click()

    broken_line = len(DATA.joinpath("every-type.yaml").read_text().splitlines()) + 1
    expect(page.get_by_role("alert")).to_contain_text(f"line {broken_line}:")
    expect(page.get_by_role("alert")).to_contain_text("unknown field 'bogus_field'")
    marker = page.locator(".cm-lint-marker-error")
    expect(marker).to_have_count(1)
    number = page.locator(".cm-lineNumbers .cm-gutterElement", has_text=re.compile(rf"^{broken_line}$"))
    marker_box, number_box = marker.bounding_box(), number.bounding_box()
    assert abs(marker_box["y"] + marker_box["height"] / 2 - number_box["y"] - number_box["height"] / 2) < 4

    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Backspace")
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    page.keyboard.type(" (edited)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    saved = app.config["BANKS_DIR"] + "/every-type.yaml"
    with open(saved) as f:
        text = f.read()
    assert "bogus_field" not in text
    assert text.splitlines()[0].endswith("(edited)")

    stale.locator(".cm-content").click()
    stale.keyboard.press("Control+End")
    stale.keyboard.type("  # a comment from the stale tab")
    stale.get_by_role("button", name="Save").click()
    expect(
        stale.get_by_role("heading", name="Not saved: the bank changed since you opened it")
    ).to_be_visible()
    expect(stale.locator("pre.diff")).to_contain_text("a comment from the stale tab")
    with open(saved) as f:
        assert f.read() == text
