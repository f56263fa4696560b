"""The page states of the confirmations, accepting learners' answers, the editor's lint warnings,
the question form, the result page's citations and quiz windows, reached in a real Chromium on a
390 px phone by accounts with an 80-character name: what each shows, that it fits the screen, and
(the browser conftest's hook) that it passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from quizapp import clock
from quizapp.banks import load_bank
from quizapp.extensions import db
from quizapp.models import Attempt, Classroom
from tests.factories import (
    LONG_NAME,
    PHONE,
    browser_log_in,
    long_named,
    own,
    phone_misfits,
    scoring,
    set_window,
)

pytestmark = pytest.mark.browser


def check(page: Page, axe) -> None:
    """The page as it is now fits the phone, and passes axe-core in the dark colour scheme too
    (the browser conftest checks every state in the light one)."""
    misfits = phone_misfits(page)
    assert not misfits, f"{page.url} does not fit a 390 px phone: {misfits}"
    page.emulate_media(color_scheme="dark")
    axe.check(page, "dark")
    page.emulate_media(color_scheme="light")


@pytest.fixture
def prof(page: Page, live_url: str, app) -> Page:
    """The test's page, phone-sized, logged in as prof (long-named), owner of every-type."""
    long_named(app, "prof", "instructor")
    own(app, "every-type")
    page.set_viewport_size(PHONE)
    browser_log_in(page, live_url, "prof")
    return page


def join_code(app, class_id: int) -> str:
    with app.app_context():
        return db.session.get(Classroom, class_id).join_code


def test_new_code_remove_and_archive_ask_first_cancel_changes_nothing_and_confirming_does_it(
    prof: Page, live_url: str, app, seed, banks_dir, axe
):
    ada = long_named(app, "ada", "student")
    class_id = seed.classroom(students=(ada,))
    code = join_code(app, class_id)
    shown = f"{code[:4]}-{code[4:]}"
    prof.goto(f"{live_url}/teach/classes/{class_id}")

    prof.get_by_role("button", name="Make a new code").click()
    expect(prof.get_by_role("heading", name="Make a new join code for Eurasian History?")).to_be_visible()
    expect(prof.get_by_text(f"The code {shown} stops working at once")).to_be_visible()
    expect(prof.get_by_text("Kept: Every student already in the class stays in it")).to_be_visible()
    check(prof, axe)
    prof.get_by_role("link", name="Cancel").click()
    expect(prof.locator("#join-code")).to_have_text(shown)
    assert join_code(app, class_id) == code
    prof.get_by_role("button", name="Make a new code").click()
    prof.get_by_role("button", name="Make a new code").click()
    expect(prof.get_by_text("New join code made; the old one no longer works.")).to_be_visible()
    expect(prof.locator("#join-code")).not_to_have_text(shown)
    assert join_code(app, class_id) != code

    remove = prof.get_by_role("button", name=f"Remove {LONG_NAME} from the class")
    remove.click()
    expect(prof.get_by_role("heading", name=f"Remove {LONG_NAME} from Eurasian History?")).to_be_visible()
    expect(prof.get_by_text("Kept: Their attempts and scores")).to_be_visible()
    check(prof, axe)
    prof.get_by_role("link", name="Cancel").click()
    expect(prof.get_by_role("heading", name="Students (1)")).to_be_visible()
    remove.click()
    prof.get_by_role("button", name=f"Remove {LONG_NAME}", exact=True).click()
    expect(prof.get_by_text("Student removed from the class; their scores are kept.")).to_be_visible()
    expect(prof.get_by_role("heading", name="Students (0)")).to_be_visible()

    prof.goto(f"{live_url}/teach/banks/")
    prof.get_by_role("button", name="Archive every-type").click()
    expect(prof.get_by_role("heading", name="Archive the bank Every type (every-type.yaml)?")).to_be_visible()
    expect(prof.get_by_text("Kept: Every attempt and score, and every version of the file")).to_be_visible()
    check(prof, axe)
    prof.get_by_role("link", name="Cancel").click()
    expect(prof.get_by_role("heading", name="Every type every-type.yaml")).to_be_visible()
    assert not (banks_dir / "archive").exists()
    prof.get_by_role("button", name="Archive every-type").click()
    prof.get_by_role("button", name="Archive every-type").click()
    expect(prof.get_by_text("Bank 'every-type' archived: students no longer see it.")).to_be_visible()
    expect(prof.get_by_role("button", name=re.compile(r"^Restore every-type\..*\.yaml$"))).to_be_visible()
    assert len(list((banks_dir / "archive").glob("every-type.*.yaml"))) == 1
    check(prof, axe)


def test_an_accepted_answer_is_regraded_after_a_dry_run_and_a_rejected_one_is_tucked_away(
    prof: Page, live_url: str, app, seed, axe
):
    ada = long_named(app, "ada", "student")
    bo = seed.user("bo", "Bo")
    class_id = seed.classroom(students=(ada, bo))
    attempt = seed.attempt(ada, {**scoring(3), "text-q": "Zyxwvutsgrad"})  # 3 of 7
    seed.attempt(bo, {**scoring(3), "text-q": "Paris"})
    analysis = f"{live_url}/teach/classes/{class_id}/quizzes/every-type/all/analysis"

    prof.goto(analysis)
    answers = prof.get_by_role("region", name="Wrong answers to text-q")
    row = answers.get_by_role("row").filter(has_text="Zyxwvutsgrad")
    expect(row.get_by_role("cell").nth(1)).to_have_text("1")
    check(prof, axe)
    row.get_by_role("button", name="Accept “Zyxwvutsgrad” for text-q").click()

    expect(prof.get_by_text("Added “Zyxwvutsgrad” to the accepted answers of text-q")).to_be_visible()
    changes = prof.get_by_role("region", name="Changes a regrade would make")
    change = changes.get_by_role("row").filter(has_text="ada")
    expect(change.get_by_role("cell")).to_have_text(["ada", str(attempt), "3 / 7", "4 / 7", "+1.00"])
    check(prof, axe)
    # The dry run is the regrade's confirmation: its button applies what the table shows.
    prof.get_by_role("button", name="Apply the regrade").click()
    expect(prof.get_by_text("Regraded: 1 score changed.")).to_be_visible()
    with app.app_context():
        assert db.session.get(Attempt, attempt).score == 4
    prof.goto(f"{live_url}/teach/classes/{class_id}/gradebook")
    expect(prof.get_by_role("row").filter(has_text=LONG_NAME).get_by_role("cell").first).to_have_text(
        "57% (1 attempt)"
    )

    prof.goto(analysis)
    paris = prof.get_by_role("button", name="Reject “Paris” for text-q")
    paris.click()
    expect(prof.get_by_text("“Paris” rejected for text-q")).to_be_visible()
    expect(paris).to_have_count(0)
    hidden = prof.get_by_text("1 rejected answer hidden")
    hidden.click()
    expect(prof.get_by_role("button", name="Offer it again “Paris” for text-q")).to_be_visible()
    check(prof, axe)


#: A bank whose second question's prompt names the first one's answer, at this line.
LEAKY_BANK = """\
    title: Capitals
    questions:
      - id: capital
        type: text
        prompt: Name the capital of Kazakhstan.
        answer: [Astana]
      - id: river
        type: true_false
        prompt: Astana lies on the Ishim river.
        answer: true
    quizzes:
      - {id: both, title: Both, questions: [capital, river]}
"""
LEAK_LINE = 9


def test_the_editor_marks_an_answer_leak_at_its_line_and_still_saves(
    prof: Page, live_url: str, app, make_bank, axe
):
    path = make_bank("leaky", LEAKY_BANK)
    own(app, "leaky")
    prof.goto(f"{live_url}/teach/banks/leaky/edit")

    warnings = prof.locator("#warnings")
    expect(warnings.get_by_role("heading")).to_have_text("1 warning")
    expect(warnings.get_by_role("listitem")).to_have_text(
        f"line {LEAK_LINE} (warning): the prompt of question 'river' shows 'Astana', "
        "the answer of question 'capital' (both in quiz 'both')"
    )
    marker = prof.locator(".cm-lint-marker-warning")
    expect(marker).to_have_count(1)
    expect(prof.locator(".cm-lint-marker-error")).to_have_count(0)
    number = prof.locator(".cm-lineNumbers .cm-gutterElement", has_text=re.compile(rf"^{LEAK_LINE}$"))
    marker_box, number_box = marker.bounding_box(), number.bounding_box()
    assert abs(marker_box["y"] + marker_box["height"] / 2 - number_box["y"] - number_box["height"] / 2) < 4
    check(prof, axe)

    prof.locator(".cm-content").click()
    prof.keyboard.press("Control+Home")
    prof.keyboard.press("End")
    prof.keyboard.type(" of Central Asia")
    prof.get_by_role("button", name="Save").click()
    expect(prof.get_by_text("Saved.")).to_be_visible()
    assert path.read_text().splitlines()[0] == "title: Capitals of Central Asia"
    expect(prof.locator(".cm-lint-marker-warning")).to_have_count(1)


def test_the_question_form_keeps_what_was_typed_and_saves_a_single_choice_ticked_by_its_row(
    prof: Page, live_url: str, banks_dir, axe
):
    prof.goto(f"{live_url}/teach/banks/every-type/questions/new")
    tabs = prof.get_by_role("navigation", name="Question type")
    expect(tabs.get_by_role("link")).to_have_text(
        ["Single choice", "Multiple choice", "True / false", "Short text", "Numeric", "Ordering", "Matching"]
    )
    expect(tabs.get_by_role("link", name="Single choice")).to_have_attribute("aria-current", "page")
    check(prof, axe)

    prof.get_by_label("Id").fill("capital-kg")
    prof.get_by_label("Prompt").fill("Pick the capital of Kyrgyzstan.")
    for number, choice in enumerate(["Tashkent", "Bishkek", "Dushanbe", "Ashgabat"], start=1):
        prof.get_by_label(f"Choice {number}", exact=True).fill(choice)
    prof.get_by_role("button", name="More choice rows").click()
    expect(prof.get_by_label("Choice 2", exact=True)).to_have_value("Bishkek")
    expect(prof.get_by_label("Choice 4", exact=True)).to_have_value("Ashgabat")
    prof.get_by_label("Choice 5", exact=True).fill("Astana")
    expect(prof.get_by_label(re.compile(r"^Choice \d+$"))).to_have_count(7)
    prof.get_by_role("checkbox", name="Every type").check()
    check(prof, axe)

    prof.get_by_role("button", name="Save question", exact=True).click()
    expect(prof.get_by_role("alert")).to_contain_text("Not saved:")
    expect(prof.get_by_role("alert")).to_contain_text("Tick the right choice in its row.")
    expect(prof.locator("#choice-rows-error")).to_have_text("Tick the right choice in its row.")
    expect(prof.get_by_label("Prompt")).to_have_value("Pick the capital of Kyrgyzstan.")
    expect(prof.get_by_label("Choice 5", exact=True)).to_have_value("Astana")
    expect(prof.get_by_role("checkbox", name="Every type")).to_be_checked()
    check(prof, axe)

    prof.get_by_role("radio", name=re.compile(r"^Right\W+choice 2$")).check()
    prof.get_by_role("button", name="Save question", exact=True).click()
    expect(prof.get_by_text("Question 'capital-kg' saved.")).to_be_visible()
    bank = load_bank(banks_dir / "every-type.yaml")
    saved = bank.questions["capital-kg"]
    assert (saved.choices, saved.answer) == (
        ("Tashkent", "Bishkek", "Dushanbe", "Ashgabat", "Astana"),
        "Bishkek",
    )
    assert bank.quizzes["all"].question_ids[-1] == "capital-kg"


#: A bank citing an article with a summary of its first paragraph and the words it opens with.
CITED_BANK = """\
    title: Cited
    source:
      title: A test article
      url: https://example.org/article
      paragraphs:
        1: {summary: SUMMARY-ONE of the first paragraph., opens: The alliance first met}
        2: SUMMARY-TWO
    questions:
      - id: capital
        type: text
        prompt: Name the capital of Kazakhstan.
        answer: [Astana]
        typos: 1
        source: 1
    quizzes:
      - {id: check, title: Check, questions: [capital]}
"""


def test_the_result_page_summarises_the_cited_paragraph_links_into_it_and_names_a_forgiven_typo(
    page: Page, live_url: str, app, make_bank, axe
):
    make_bank("cited", CITED_BANK)
    long_named(app, "ada", "student")
    page.set_viewport_size(PHONE)
    browser_log_in(page, live_url, "ada")
    page.goto(f"{live_url}/banks/cited/quizzes/check")
    page.get_by_role("button", name="Start attempt").click()
    page.get_by_label("Name the capital of Kazakhstan.").fill("Astna")
    page.get_by_role("button", name="Finish attempt…").click()
    page.get_by_role("button", name="Submit all and finish").click()

    expect(page.get_by_role("status").filter(has_text="You scored")).to_contain_text("1 / 1 (100%)")
    expect(page.get_by_text("Accepted: close to 'Astana'")).to_be_visible()
    passage = page.locator(".passages li")
    expect(passage).to_have_count(1)
    expect(passage).to_contain_text("¶1 SUMMARY-ONE of the first paragraph.")
    link = passage.get_by_role("link", name="Paragraph 1 in the original (opens in a new tab)")
    expect(link).to_have_attribute("href", "https://example.org/article#:~:text=The%20alliance%20first%20met")
    expect(link).to_have_attribute("target", "_blank")
    check(page, axe)


def test_a_quiz_not_open_yet_and_a_closed_one_show_their_dates_and_no_start_button(
    page: Page, live_url: str, app, seed, axe
):
    long_named(app, "prof", "instructor")
    ada = long_named(app, "ada", "student")
    seed.classroom(students=(ada,))
    now = clock.now().replace(microsecond=0)
    set_window(app, now + timedelta(days=2, hours=3), now + timedelta(days=3))
    page.set_viewport_size(PHONE)
    browser_log_in(page, live_url, "ada")

    page.goto(f"{live_url}/banks/every-type/quizzes/all")
    setting = page.get_by_role("region", name="Eurasian History")
    expect(setting.locator(".due")).to_contain_text(
        re.compile(r"^Opens \w{3} \d+ \w{3}(?: \d{4})? \d\d:\d\d \(in 2 days\)$")
    )
    expect(setting.locator(".due time")).to_have_attribute(
        "datetime", (now + timedelta(days=2, hours=3)).isoformat(timespec="seconds")
    )
    expect(setting).to_contain_text("This quiz opens for Eurasian History on")
    expect(page.get_by_role("button", name=re.compile("Start"))).to_have_count(0)
    check(page, axe)

    set_window(app, now - timedelta(days=5), now - timedelta(days=3, hours=1))
    page.reload()
    expect(setting.locator(".due")).to_contain_text(
        re.compile(r"^Closed \w{3} \d+ \w{3}(?: \d{4})? \d\d:\d\d \(3 days ago\)$")
    )
    expect(page.get_by_role("button", name=re.compile("Start"))).to_have_count(0)
    check(page, axe)
    page.goto(f"{live_url}/")
    set_for_you = page.get_by_role("region", name="Set for your classes")
    expect(set_for_you.locator(".due-closed")).to_contain_text(re.compile(r"^Closed .* \(3 days ago\)$"))
    check(page, axe)


GIFT = """\
$CATEGORY: $course$/top/From Moodle

::capital::Which city is the capital of Kazakhstan? {=Astana ~Almaty ~Bishkek}

::treaty-year::In which year was the Collective Security Treaty signed? {#1992}
"""
QUIZLET = "CSTO\tCollective Security Treaty Organization\nCSTO members in 2022\tsix states\n"


def test_a_file_is_previewed_then_imported_and_a_bank_downloaded_on_a_phone(
    prof: Page, live_url: str, banks_dir, tmp_path, axe
):
    gift = tmp_path / "from moodle.gift"
    gift.write_text(GIFT)
    prof.goto(f"{live_url}/teach/banks/import")
    prof.get_by_label("File", exact=True).set_input_files(gift)
    prof.get_by_role("button", name="Preview").click()
    expect(
        prof.get_by_role("heading", name="from moodle.gift as gift, a new bank from-moodle")
    ).to_be_visible()
    expect(prof.get_by_text("Which city is the capital of Kazakhstan?")).to_be_visible()
    check(prof, axe)
    assert not (banks_dir / "from-moodle.yaml").exists()  # a preview writes nothing
    prof.get_by_role("button", name="Create from-moodle").click()
    expect(prof.get_by_text("Imported 2 items from from moodle.gift into from-moodle.")).to_be_visible()
    assert "# from line 3 of from moodle.gift" in (banks_dir / "from-moodle.yaml").read_text()

    cards = tmp_path / "flashcards.txt"
    cards.write_text(QUIZLET)
    prof.goto(f"{live_url}/teach/banks/import")
    prof.get_by_label("File", exact=True).set_input_files(cards)
    prof.get_by_label("Into").select_option("from-moodle")
    prof.get_by_role("button", name="Preview").click()
    expect(prof.get_by_role("heading", name="2 cards")).to_be_visible()
    check(prof, axe)
    prof.get_by_role("button", name="Add them to from-moodle").click()
    expect(prof.get_by_text("Imported 2 items from flashcards.txt into from-moodle.")).to_be_visible()

    prof.goto(f"{live_url}/teach/banks/from-moodle/export")
    expect(prof.get_by_role("link", name="Download as qti")).to_be_visible()
    check(prof, axe)
