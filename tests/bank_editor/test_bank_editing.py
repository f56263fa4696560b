"""Bank editing through the instructor pages: the banks list, the YAML editor (validate, preview,
save), conflicts, history, the question form, new banks, the archive, and who may do any of it.

The acting instructor, prof, owns the banks edited here (tests/bank_editor/test_bank_permissions.py
covers who else may)."""

from __future__ import annotations

import difflib
import html
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient

from quizapp.bank_editor.operations import Comparison, compare
from quizapp.banks import load_bank
from quizapp.extensions import db
from quizapp.models import BankRevision
from tests.factories import (
    BANKS,
    DATA,
    EVERY_TYPE_BANK,
    base_of,
    csrf_token,
    files_under,
    form_with,
    learner,
    login,
    make_instructor,
    open_editor,
    own,
    redescribe,
    revision_rows,
    save_through_editor,
    section,
    send_editor,
    sha,
    text_of,
    textarea,
)

# Several clients act in one test here (two instructors, an instructor and a learner). pytest-flask
# keeps a request context pushed for the whole test, and its ``client`` fixture keeps each request's
# context pushed after the response: every later request, from any client, then reuses that app
# context and its ``flask.g``, where Flask-Login caches the user, so a second client would act as
# whoever logged in first. These two overrides give every request a context of its own.


EDIT = f"{BANKS}/every-type/edit"

#: A bank with two problems, at lines 3 and 4.
BROKEN = """\
title: Broken bank
questions:
  - {id: a, type: true_false, prompt: P, answer: yes}
  - {id: b, type: numeric, prompt: Q, answer: 12:30}
"""


# --- reading pages as a browser would ------------------------------------------------------------


def diff_lines(page: str) -> list[str]:
    match = re.search(r'<pre class="diff"[^>]*>(.*?)</pre>', page, re.DOTALL)
    assert match, "the page shows no diff"
    return [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in match.group(1).splitlines()]


# --- actions -------------------------------------------------------------------------------------


def banks_token(client: FlaskClient) -> str:
    return csrf_token(client.get(f"{BANKS}/").get_data(as_text=True))


@pytest.fixture
def instructor(bank_owner: FlaskClient) -> FlaskClient:
    """prof, owner of every-type (overrides conftest's)."""
    return bank_owner


def second_instructor(app) -> FlaskClient:
    """A client logged in as instructor 'prof2', an editor of every-type."""
    make_instructor(app, "prof2")
    own(app, "every-type", "prof2", "editor")
    other = app.test_client()
    assert login(other, "prof2").status_code == 302
    return other


def retitle(title: str):
    """A change to the bank's own title: the first line starting with 'title:' (quizzes' are indented)."""

    def change(text: str) -> str:
        changed = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.MULTILINE)
        assert changed != text, "the change changed nothing"
        return changed

    return change


# --- the banks page ------------------------------------------------------------------------------


def test_banks_page_shows_a_valid_bank_with_its_question_and_quiz_counts(instructor):
    page = instructor.get(f"{BANKS}/").get_data(as_text=True)
    card = section(page, "every-type")
    assert "Every type" in card
    assert "Valid · 7 questions · 2 quizzes · 1 warning<" in card  # match-q offers Belarus, multi-q's key


def test_banks_page_shows_a_broken_bank_with_each_problem_and_its_line(instructor, app, make_bank):
    make_bank("broken", BROKEN)
    own(app, "broken")
    card = section(instructor.get(f"{BANKS}/").get_data(as_text=True), "broken")
    assert "2 problems" in card
    assert "not served" in card
    assert re.search(r"line 3: the answer of question 'a' is 'yes'", card)
    assert re.search(r"line 4: the answer of question 'b' is '12:30'", card)
    assert "Valid" not in card


def test_banks_page_says_who_made_the_last_change_after_a_save(instructor):
    before = section(instructor.get(f"{BANKS}/").get_data(as_text=True), "every-type")
    assert "edited outside the app" in before
    save_through_editor(instructor, redescribe("Saved by prof."))
    after = section(instructor.get(f"{BANKS}/").get_data(as_text=True), "every-type")
    assert "prof (save)" in after
    assert "edited outside the app" not in after


def test_banks_page_says_edited_outside_the_app_after_a_later_disk_edit(instructor, banks_dir):
    save_through_editor(instructor, redescribe("Saved by prof."))
    path = banks_dir / "every-type.yaml"
    path.write_text(redescribe("Edited on disk.")(EVERY_TYPE_BANK))
    os.utime(path, (path.stat().st_mtime + 5,) * 2)
    card = section(instructor.get(f"{BANKS}/").get_data(as_text=True), "every-type")
    assert "edited outside the app" in card
    assert "prof (save)" not in card


# --- the editor: validate and preview ------------------------------------------------------------


def broken_every_type() -> tuple[str, dict[int, str]]:
    """every-type.yaml with markup-like text and two problems; the problems by line number."""
    text = EVERY_TYPE_BANK.replace(
        "prompt: Pick the capital of Kazakhstan.", "prompt: Pick <b>the</b> capital & \"its\" 'name'"
    )
    text = text.replace("    answer: Astana\n", "    answer: Almaty\n")
    text = text.replace("answer: 98765.4321", "answer: 12:30")
    lines = text.splitlines()
    return text, {
        lines.index("    answer: Almaty") + 1: "not one of its choices",
        lines.index("    answer: 12:30") + 1: "not a number",
    }


def test_validate_lists_every_problem_with_its_line_and_keeps_the_text_and_the_file(instructor, banks_dir):
    token, base, _ = open_editor(instructor)
    text, expected = broken_every_type()
    response = send_editor(instructor, text, base, "validate", token=token)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    listed = re.findall(r"<li><strong>line (\d+)</strong>: (.*?)</li>", page)
    assert sorted(int(line) for line, _ in listed) == sorted(expected)
    for line, message in listed:
        assert expected[int(line)] in html.unescape(message)
    assert textarea(page) == text
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_validate_of_good_text_says_no_problems_found(instructor, banks_dir):
    token, base, text = open_editor(instructor)
    changed = redescribe("Checked, not saved.")(text)
    response = send_editor(instructor, changed, base, "validate", token=token)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No problems found" in page
    assert 'id="problems"' not in page
    assert textarea(page) == changed
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_the_editor_shows_the_problems_of_a_broken_file_as_it_opens(instructor, app, make_bank):
    make_bank("broken", BROKEN)
    own(app, "broken")
    response = instructor.get(f"{BANKS}/broken/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.findall(r"<li><strong>line (\d+)</strong>", page) == ["3", "4"]
    assert textarea(page) == BROKEN


def test_the_editor_textarea_keeps_a_leading_blank_line_as_a_browser_reads_it(instructor, app, make_bank):
    text = "\n" + EVERY_TYPE_BANK.replace("title: Every type", "title: Spaced", 1)
    make_bank("spaced", text)
    own(app, "spaced")
    _, base, shown = open_editor(instructor, "spaced")
    assert base == sha(text)
    assert shown == text, "a browser drops the newline right after <textarea>: the first line is lost"


def test_preview_shows_each_question_with_its_right_answers_marked(instructor, banks_dir):
    path = banks_dir / "every-type.yaml"
    stamp = path.stat().st_mtime_ns
    token, base, text = open_editor(instructor)
    changed = text.replace("prompt: How many?", "prompt: How many, in the preview?")
    response = send_editor(instructor, changed, base, "preview", token=token)
    assert response.status_code == 200
    page = text_of(response)
    preview = page[page.index('id="preview-heading"') :]
    for prompt in (
        "Pick the capital of Kazakhstan.",
        "Pick the members.",
        "The treaty came before the organisation.",
        "Name the city.",
        "How many, in the preview?",
        "Put these in order.",
        "Match each leader to a country.",
    ):
        assert f'<p class="prompt">{prompt}</p>' in preview
    for right in ("✓ Astana", "✓ Russia", "✓ Belarus"):
        assert right in preview
    for wrong in ("✓ Bishkek", "✓ Dushanbe", "✓ Georgia", "✓ Ukraine"):
        assert wrong not in preview
    assert "Answer:</strong> True" in preview
    assert "Zyxwvuts City" in preview
    assert "98765.4321 (± 0.5)" in preview
    assert "Alpha first → Bravo second → Charlie third → Delta fourth" in preview
    assert "Tokayev → Kazakhstan" in preview
    assert textarea(response.get_data(as_text=True)) == changed
    assert path.read_text() == EVERY_TYPE_BANK
    assert path.stat().st_mtime_ns == stamp
    assert [r["action"] for r in revision_rows(instructor.application)] == ["disk"]  # as first found


def test_preview_of_broken_text_lists_the_problems_and_writes_nothing(instructor, banks_dir):
    token, base, _ = open_editor(instructor)
    text, expected = broken_every_type()
    response = send_editor(instructor, text, base, "preview", token=token)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="preview-heading"' not in page
    assert sorted(int(n) for n in re.findall(r"<strong>line (\d+)</strong>", page)) == sorted(expected)
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def data_problems(page: str) -> list[dict[str, object]]:
    """What the editor's script marks at the lines: the textarea's data-problems."""
    found = re.search(r"data-problems='([^']*)'", page)
    return json.loads(html.unescape(found.group(1))) if found else []


#: A leak added to every-type.yaml: tf-q's prompt (at this line) names text-q's answer.
LEAK_LINE = EVERY_TYPE_BANK.splitlines().index("  - id: tf-q") + 3


def with_a_leak(text: str) -> str:
    return text.replace(
        "prompt: The treaty came before the organisation.",
        "prompt: The treaty came before Zyxwvuts City was founded.",
    )


def test_the_editor_marks_answer_leaks_at_their_lines_as_warnings_not_problems(instructor):
    page = instructor.get(EDIT).get_data(as_text=True)
    # every-type.yaml's one leak: match-q offers Belarus, a right choice of multi-q.
    line = (
        EVERY_TYPE_BANK.splitlines().index(
            "    answer: {Tokayev: Kazakhstan, Lukashenko: Belarus, Pashinyan: Armenia}"
        )
        + 1
    )
    assert data_problems(page) == [
        {
            "line": line,
            "severity": "warning",
            "message": "the option 'Belarus' of question 'match-q' is the answer of question 'multi-q' "
            "(both in quizzes 'all' and 'review')",
        }
    ]
    warnings = page[page.index('id="warnings"') :]
    assert "1 warning</h2>" in warnings
    assert f"<li><strong>line {line}</strong> (warning): the option" in warnings
    assert 'id="problems"' not in page
    assert "data-focus-line" not in page  # a warning does not pull the cursor away from line 1


def test_validate_lists_warnings_apart_and_says_there_are_no_problems(instructor):
    token, base, text = open_editor(instructor)
    response = send_editor(instructor, with_a_leak(text), base, "validate", token=token)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No problems found; 2 warnings below." in page
    assert [(p["line"], p["severity"]) for p in data_problems(page)][0] == (LEAK_LINE, "warning")
    assert (
        "the prompt of question 'tf-q' shows 'Zyxwvuts City', the answer of question 'text-q'"
        in html.unescape(page)
    )
    assert 'id="problems"' not in page


def test_a_bank_with_warnings_is_saved_and_reopens_with_them(instructor, banks_dir):
    token, base, text = open_editor(instructor)
    response = send_editor(instructor, with_a_leak(text), base, "save", token=token)
    assert response.status_code == 302
    assert (banks_dir / "every-type.yaml").read_text() == with_a_leak(text)
    page = instructor.get(EDIT).get_data(as_text=True)
    assert "2 warnings</h2>" in page
    assert {p["line"] for p in data_problems(page)} >= {LEAK_LINE}


def test_problems_and_warnings_are_marked_with_their_own_severity(instructor):
    token, base, _ = open_editor(instructor)
    text, expected = broken_every_type()
    page = send_editor(instructor, with_a_leak(text), base, "validate", token=token).get_data(as_text=True)
    # A bank with problems is not linted: its problems alone are marked, as errors.
    assert {(p["line"], p["severity"]) for p in data_problems(page)} == {(line, "error") for line in expected}
    assert 'id="warnings"' not in page


# --- the editor: save ----------------------------------------------------------------------------


def test_save_writes_the_text_with_a_final_newline_and_records_a_revision(instructor, banks_dir):
    token, base, text = open_editor(instructor)
    assert base == sha(EVERY_TYPE_BANK)
    changed = redescribe("Saved through the app.")(text).rstrip("\n")
    response = send_editor(instructor, changed, base, "save", token=token)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(EDIT)
    assert (banks_dir / "every-type.yaml").read_text() == changed + "\n"
    rows = revision_rows(instructor.application)
    assert rows[-1]["action"] == "save"
    assert rows[-1]["author"] == "prof"
    assert rows[-1]["sha256"] == sha(changed + "\n")
    assert rows[-1]["text"] == changed + "\n"
    # the version it replaced was kept too
    assert [r["text"] for r in rows[:-1]] == [EVERY_TYPE_BANK]
    assert rows[0]["action"] == "disk"
    # and the editor now opens the saved version
    _, new_base, shown = open_editor(instructor)
    assert (new_base, shown) == (sha(changed + "\n"), changed + "\n")


def test_save_turns_windows_line_endings_into_unix_ones(instructor, banks_dir):
    token, base, text = open_editor(instructor)
    changed = redescribe("Typed on Windows.")(text)
    response = send_editor(instructor, changed.replace("\n", "\r\n"), base, "save", token=token)
    assert response.status_code == 302
    assert (banks_dir / "every-type.yaml").read_bytes() == changed.encode()


def test_a_saved_change_reaches_students_on_their_next_request(instructor, app):
    ada = learner(app)
    home = ada.get("/").get_data(as_text=True)
    assert "All seven questions" not in home
    assert ada.get("/banks/every-type/quizzes/all").status_code == 200

    save_through_editor(
        instructor,
        lambda t: t.replace(
            "    title: Every type\n    questions:", "    title: All seven questions\n    questions:"
        ),
    )
    home = ada.get("/").get_data(as_text=True)
    assert "All seven questions" in home
    assert "<h1>All seven questions</h1>" in ada.get("/banks/every-type/quizzes/all").get_data(as_text=True)


def test_save_of_invalid_text_is_refused_with_the_text_intact_and_nothing_written(instructor, banks_dir):
    path = banks_dir / "every-type.yaml"
    stamp = path.stat().st_mtime_ns
    token, base, _ = open_editor(instructor)
    text, expected = broken_every_type()
    response = send_editor(instructor, text, base, "save", token=token)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not saved" in page
    assert sorted(int(n) for n in re.findall(r"<strong>line (\d+)</strong>", page)) == sorted(expected)
    assert textarea(page) == text
    assert base_of(page) == base
    assert path.read_text() == EVERY_TYPE_BANK
    assert path.stat().st_mtime_ns == stamp
    assert [r["action"] for r in revision_rows(instructor.application)] == ["disk"]  # as first found


# --- conflicts -----------------------------------------------------------------------------------


def test_a_save_over_another_instructors_save_is_refused_with_a_diff_and_can_be_redone(
    instructor, app, banks_dir
):
    path = banks_dir / "every-type.yaml"
    other = second_instructor(app)
    a_token, a_base, a_text = open_editor(instructor)
    b_token, b_base, b_text = open_editor(other)
    assert a_base == b_base

    a_saved = retitle("Every type, by A")(a_text)
    assert send_editor(instructor, a_saved, a_base, "save", token=a_token).status_code == 302

    b_wants = redescribe("Changed by B.")(b_text)
    response = send_editor(other, b_wants, b_base, "save", token=b_token)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    diff = diff_lines(page)
    assert "-title: Every type, by A" in diff
    assert "+title: Every type" in diff
    assert "-description: One question of each type, for tests." in diff
    assert "+description: Changed by B." in diff
    assert textarea(page) == b_wants
    assert path.read_text() == a_saved

    again = form_with(page, field="text")
    assert again["base"] == sha(a_saved)
    assert again["text"] == b_wants
    response = other.post(EDIT, data={**again, "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path.read_text() == b_wants
    assert [(r["action"], r["author"]) for r in revision_rows(app)] == [
        ("disk", None),
        ("save", "prof"),
        ("save", "prof2"),
    ]


def test_a_save_over_an_edit_made_on_disk_is_refused_and_the_disk_version_is_kept(instructor, app, banks_dir):
    path = banks_dir / "every-type.yaml"
    token, base, text = open_editor(instructor)
    on_disk = redescribe("Edited on disk.")(EVERY_TYPE_BANK)
    path.write_text(on_disk)
    os.utime(path, (path.stat().st_mtime + 5,) * 2)

    mine = retitle("Every type, from the app")(text)
    response = send_editor(instructor, mine, base, "save", token=token)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    diff = diff_lines(page)
    assert "-description: Edited on disk." in diff
    assert "+title: Every type, from the app" in diff
    assert textarea(page) == mine
    assert path.read_text() == on_disk

    again = form_with(page, field="text")
    assert again["base"] == sha(on_disk)
    response = instructor.post(EDIT, data={**again, "action": "save"})
    assert response.status_code == 302
    assert path.read_text() == mine
    rows = revision_rows(app)
    disk = [r for r in rows if r["action"] == "disk"]
    assert [r["text"] for r in disk] == [EVERY_TYPE_BANK, on_disk]  # as first found, then as edited
    assert disk[1]["author"] is None
    assert rows[-1]["text"] == mine


def test_a_bank_file_removed_by_hand_is_written_back_and_a_save_still_works(instructor, banks_dir):
    """The database holds the bank; this host's file is a copy to edit (archive a bank to take it
    out of the served set)."""
    token, base, text = open_editor(instructor)
    (banks_dir / "every-type.yaml").unlink()
    retitled = retitle("Every type, saved after the file went")(text)
    response = send_editor(instructor, retitled, base, "save", token=token)
    assert response.status_code == 302
    assert (banks_dir / "every-type.yaml").read_text() == retitled


# --- history -------------------------------------------------------------------------------------


def history_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<td[^>]*>#(\d+)", page)]


def test_history_lists_revisions_newest_first_and_diffs_two_of_them(instructor, app):
    v1 = save_through_editor(instructor, retitle("Version one"))
    v2 = save_through_editor(instructor, retitle("Version two"))
    rows = revision_rows(app)
    assert [r["text"] for r in rows] == [EVERY_TYPE_BANK, v1, v2]
    first, second, third = (r["id"] for r in rows)

    page = instructor.get(f"{BANKS}/every-type/history").get_data(as_text=True)
    assert history_ids(page) == [third, second, first]
    # by default the newest is compared with the one before it
    assert "-title: Version one" in diff_lines(page)
    assert "+title: Version two" in diff_lines(page)

    page = instructor.get(f"{BANKS}/every-type/history?old={first}&new={third}").get_data(as_text=True)
    diff = diff_lines(page)
    assert "-title: Every type" in diff
    assert "+title: Version two" in diff
    assert not any(line.startswith(("+", "-")) and "description" in line for line in diff)


def test_compare_picks_the_newest_and_the_one_before_the_newer_unless_asked():
    v1, v2, v3 = (SimpleNamespace(id=n, text=f"title: Version {n}\n") for n in (1, 2, 3))
    versions = [v3, v2, v1]

    latest = compare(versions)
    assert (latest.older, latest.newer) == (v2, v3)
    assert latest.diff[2:] == ["@@ -1 +1 @@", "-title: Version 2", "+title: Version 3"]
    assert (compare(versions, newer=v2).older, compare(versions, newer=v2).newer) == (v1, v2)
    assert (compare(versions, older=v1).older, compare(versions, older=v1).newer) == (v1, v3)
    only = compare([v1])
    assert (only.older, only.newer, only.diff) == (None, v1, [])
    assert compare([]) == Comparison(None, None, [])


@pytest.mark.parametrize("action", [None, "anything else"])
def test_the_editor_validates_when_no_known_button_was_pressed(instructor, banks_dir, action):
    token, base, text = open_editor(instructor)
    fields = {"csrf_token": token, "base": base, "text": text}
    response = instructor.post(EDIT, data=fields if action is None else {**fields, "action": action})
    assert response.status_code == 200
    assert "No problems found" in response.get_data(as_text=True)
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_history_of_a_revision_of_another_bank_is_not_found(instructor, app, make_bank):
    make_bank("other", EVERY_TYPE_BANK.replace("title: Every type", "title: Other", 1))
    own(app, "other")
    save_through_editor(instructor, retitle("Mine"))
    save_through_editor(instructor, retitle("Other, saved"), slug="other")
    other_id = revision_rows(app, "other")[-1]["id"]
    assert instructor.get(f"{BANKS}/every-type/history?new={other_id}").status_code == 404


def test_restoring_an_old_revision_writes_it_as_a_new_revision(instructor, app, banks_dir):
    v1 = save_through_editor(instructor, retitle("Version one"))
    save_through_editor(instructor, retitle("Version two"))
    rows = revision_rows(app)
    target = next(r for r in rows if r["text"] == v1)

    page = instructor.get(f"{BANKS}/every-type/history").get_data(as_text=True)
    fields = form_with(page, action=f"/history/{target['id']}/restore")
    assert fields["base"] == sha((banks_dir / "every-type.yaml").read_text())
    response = instructor.post(
        f"{BANKS}/every-type/history/{target['id']}/restore", data={**fields, "confirm": "yes"}
    )
    assert response.status_code == 302
    assert (banks_dir / "every-type.yaml").read_text() == v1

    after = revision_rows(app)
    assert len(after) == len(rows) + 1
    assert after[-1]["action"] == "restore"
    assert after[-1]["author"] == "prof"
    assert after[-1]["text"] == v1
    assert after[-1]["id"] > target["id"]
    page = instructor.get(f"{BANKS}/every-type/history").get_data(as_text=True)
    assert history_ids(page) == [r["id"] for r in reversed(after)]


def test_restoring_with_a_stale_base_shows_the_conflict_page_and_writes_nothing(instructor, app, banks_dir):
    save_through_editor(instructor, retitle("Version one"))
    original = revision_rows(app)[0]
    page = instructor.get(f"{BANKS}/every-type/history").get_data(as_text=True)
    fields = form_with(page, action=f"/history/{original['id']}/restore")

    latest = save_through_editor(instructor, retitle("Version two"))
    response = instructor.post(
        f"{BANKS}/every-type/history/{original['id']}/restore", data={**fields, "confirm": "yes"}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "+title: Every type" in diff_lines(page)
    assert "-title: Version two" in diff_lines(page)
    assert (banks_dir / "every-type.yaml").read_text() == latest
    assert [r["action"] for r in revision_rows(app)] == ["disk", "save", "save"]


# --- the question form ---------------------------------------------------------------------------

QUESTION_IDS = ["single-q", "multi-q", "tf-q", "text-q", "numeric-q", "order-q", "match-q"]


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(
        before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True), n=0
    )
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def edit_form(client: FlaskClient, qid: str) -> dict[str, str]:
    response = client.get(f"{BANKS}/every-type/questions/{qid}/edit")
    assert response.status_code == 200
    return form_with(response.get_data(as_text=True), field="prompt")


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_editing_a_prompt_with_the_form_changes_only_that_line_of_the_file(instructor, banks_dir, qid):
    fields = edit_form(instructor, qid)
    old_prompt = fields["prompt"]
    fields["prompt"] = f"{old_prompt} (reworded)"
    response = instructor.post(f"{BANKS}/every-type/questions/{qid}/edit", data=fields)
    assert response.status_code == 302, text_of(response)

    original = (DATA / "every-type.yaml").read_bytes()
    now = (banks_dir / "every-type.yaml").read_bytes()
    assert changed_lines(original, now) == [
        f"-    prompt: {old_prompt}\n",
        f"+    prompt: {old_prompt} (reworded)\n",
    ]
    assert now.startswith(original[: original.index(b"title:")]), "the comment block changed"
    bank = load_bank(banks_dir / "every-type.yaml")
    assert bank.questions[qid].prompt == f"{old_prompt} (reworded)"


def test_editing_a_question_keeps_its_id_even_if_another_is_posted(instructor, banks_dir):
    fields = edit_form(instructor, "single-q")
    fields["id"] = "renamed-q"
    fields["prompt"] = "Pick the capital, again."
    response = instructor.post(f"{BANKS}/every-type/questions/single-q/edit", data=fields)
    assert response.status_code == 302
    bank = load_bank(banks_dir / "every-type.yaml")
    assert "renamed-q" not in bank.questions
    assert bank.questions["single-q"].prompt == "Pick the capital, again."
    assert "renamed-q" not in (banks_dir / "every-type.yaml").read_text()


def test_the_question_form_records_a_revision_by_its_author(instructor, app):
    fields = edit_form(instructor, "tf-q")
    fields["truth"] = "false"
    assert instructor.post(f"{BANKS}/every-type/questions/tf-q/edit", data=fields).status_code == 302
    rows = revision_rows(app)
    assert (rows[-1]["action"], rows[-1]["author"]) == ("question", "prof")
    assert "    answer: false\n" in rows[-1]["text"]


#: Choices typed in the question form's rows, the fourth row left empty.
CHOICE_ROWS = {"choice_rows-0": "Red", "choice_rows-1": "Green", "choice_rows-2": "Blue", "choice_rows-3": ""}

NEW_QUESTIONS = {
    "single": (
        {**CHOICE_ROWS, "right": "1", "feedback": "Red = Not red."},
        {"choices": ("Red", "Green", "Blue"), "answer": "Green", "feedback_by_choice": {"Red": "Not red."}},
    ),
    "multi": (
        {**CHOICE_ROWS, "right": ["0", "2"]},
        {"choices": ("Red", "Green", "Blue"), "answer": ("Red", "Blue")},
    ),
    "true_false": ({"truth": "false"}, {"answer": False}),
    "text": ({"answer": "Paris\nParis, France"}, {"answer": ("Paris", "Paris, France")}),
    "numeric": (
        {"answer": "42.5", "tolerance": "0.25", "unit": "km"},
        {"answer": 42.5, "tolerance": 0.25, "unit": "km"},
    ),
    "order": ({"answer": "One\nTwo\nThree"}, {"answer": ("One", "Two", "Three")}),
    "match": (
        {"answer": "France = Paris\nItaly = Rome", "distractors": "Berlin"},
        {"answer": (("France", "Paris"), ("Italy", "Rome")), "distractors": ("Berlin",)},
    ),
}


@pytest.mark.parametrize("qtype", list(NEW_QUESTIONS))
def test_a_new_question_of_each_type_is_appended_and_the_bank_still_validates(instructor, banks_dir, qtype):
    sent, expected = NEW_QUESTIONS[qtype]
    url = f"{BANKS}/every-type/questions/new?type={qtype}"
    page = instructor.get(url)
    assert page.status_code == 200
    fields = form_with(page.get_data(as_text=True), field="prompt")
    fields.update({"id": "new-q", "prompt": f"A new {qtype} question?", "explanation": "Because."})
    fields.update(sent)
    response = instructor.post(url, data=fields)
    assert response.status_code == 302, text_of(response)

    original = (DATA / "every-type.yaml").read_bytes()
    now = (banks_dir / "every-type.yaml").read_bytes()
    changes = changed_lines(original, now)
    assert changes, "nothing was added"
    assert all(line.startswith("+") for line in changes), "an existing line changed"
    bank = load_bank(banks_dir / "every-type.yaml")
    assert list(bank.questions)[-1] == "new-q"
    question = bank.questions["new-q"]
    assert question.type == qtype
    assert question.prompt == f"A new {qtype} question?"
    assert question.explanation == "Because."
    for name, value in expected.items():
        got = getattr(question, name)
        assert (dict(got) if name == "feedback_by_choice" else got) == value, name


def test_an_invalid_question_form_shows_the_loaders_message_and_writes_nothing(instructor, banks_dir):
    url = f"{BANKS}/every-type/questions/new?type=single"
    fields = form_with(instructor.get(url).get_data(as_text=True), field="prompt")
    fields.update({"id": "bad-q", "prompt": "Pick one.", "choice_rows-0": "Red", "right": "0"})
    response = instructor.post(url, data=fields)
    assert response.status_code == 422
    page = text_of(response)
    assert "Not saved" in page
    assert "needs at least 2" in page
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_a_new_question_with_an_id_already_in_the_bank_is_refused(instructor, banks_dir):
    url = f"{BANKS}/every-type/questions/new?type=true_false"
    fields = form_with(instructor.get(url).get_data(as_text=True), field="prompt")
    fields.update({"id": "single-q", "prompt": "A second single-q?", "truth": "true"})
    response = instructor.post(url, data=fields)
    assert response.status_code == 422
    assert "duplicate question id 'single-q'" in text_of(response)
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_the_question_form_of_a_missing_question_or_type_is_not_found(instructor):
    assert instructor.get(f"{BANKS}/every-type/questions/no-such-q/edit").status_code == 404
    assert instructor.get(f"{BANKS}/every-type/questions/new?type=essay").status_code == 404


def test_the_question_form_refuses_a_save_over_a_file_changed_since_it_opened(instructor, banks_dir):
    path = banks_dir / "every-type.yaml"
    fields = edit_form(instructor, "single-q")
    fields["prompt"] = "Mine."
    on_disk = redescribe("Edited on disk.")(EVERY_TYPE_BANK)
    path.write_text(on_disk)
    os.utime(path, (path.stat().st_mtime + 5,) * 2)
    response = instructor.post(f"{BANKS}/every-type/questions/single-q/edit", data=fields)
    assert response.status_code == 422
    assert "changed since you opened this form" in text_of(response)
    assert path.read_text() == on_disk


# --- new banks -----------------------------------------------------------------------------------


def test_a_new_bank_from_the_template_validates_and_opens_in_the_editor(instructor, app, banks_dir):
    response = instructor.post(
        f"{BANKS}/", data={"csrf_token": banks_token(instructor), "slug": "new-bank", "title": "A new bank"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BANKS}/new-bank/edit")
    path = banks_dir / "new-bank.yaml"
    bank = load_bank(path)
    assert bank.title == "A new bank"
    card = section(instructor.get(f"{BANKS}/").get_data(as_text=True), "new-bank")
    assert "A new bank" in card
    assert "Valid · 1 questions · 1 quizzes" in card
    _, base, text = open_editor(instructor, "new-bank")
    assert (base, text) == (sha(path.read_text()), path.read_text())
    assert [(r["action"], r["author"]) for r in revision_rows(app, "new-bank")] == [("create", "prof")]


def test_a_new_bank_title_with_yaml_characters_is_kept_as_typed(instructor, banks_dir):
    title = 'Title: with # a "quote", a \\ and [brackets]'
    response = instructor.post(
        f"{BANKS}/", data={"csrf_token": banks_token(instructor), "slug": "quoted", "title": title}
    )
    assert response.status_code == 302
    assert load_bank(banks_dir / "quoted.yaml").title == title


def test_a_new_bank_with_a_slug_in_use_is_refused_with_a_message(instructor, banks_dir):
    response = instructor.post(
        f"{BANKS}/", data={"csrf_token": banks_token(instructor), "slug": "every-type", "title": "Again"}
    )
    assert response.status_code == 422
    assert "exists already" in text_of(response)
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


@pytest.mark.parametrize(
    "slug",
    ["../evil", "a/b", "%2e%2e", "/etc/passwd", "Upper", "", "a b", "..", "-x", "ev\nil"],
    ids=["dotdot", "slash", "encoded", "absolute", "upper", "empty", "space", "dots", "hyphen", "newline"],
)
def test_a_new_bank_with_a_bad_slug_is_refused_with_a_message_and_no_file_anywhere(
    instructor, tmp_path, slug
):
    before = files_under(tmp_path)
    response = instructor.post(
        f"{BANKS}/", data={"csrf_token": banks_token(instructor), "slug": slug, "title": "Evil"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="slug-error">[^<]+</p>', page)
    assert files_under(tmp_path) == before


@pytest.mark.parametrize(
    "title", ["Ring \x07 bell", "Not a character \ufffe here"], ids=["control", "noncharacter"]
)
def test_a_new_bank_title_that_yaml_cannot_hold_is_refused_with_a_message(instructor, banks_dir, title):
    before = files_under(banks_dir)
    response = instructor.post(
        f"{BANKS}/", data={"csrf_token": banks_token(instructor), "slug": "bell", "title": title}
    )
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="(title|slug)-error">[^<]+</p>', response.get_data(as_text=True))
    assert files_under(banks_dir) == before


# --- paths that lead elsewhere -------------------------------------------------------------------

TRICKS = ["..%2F..%2Fetc", "%2e%2e", "..%252f", "%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "etc%00"]


@pytest.mark.parametrize("trick", TRICKS)
def test_slug_urls_that_lead_out_of_the_folder_are_not_found(instructor, tmp_path, trick):
    token = banks_token(instructor)
    before = files_under(tmp_path)
    for suffix in ("/edit", "/history", "/questions/new", "/questions/single-q/edit"):
        assert instructor.get(f"{BANKS}/{trick}{suffix}").status_code == 404, suffix
    data = {"csrf_token": token, "base": "", "text": EVERY_TYPE_BANK, "action": "save"}
    for suffix in ("/edit", "/archive", "/questions/new", "/history/1/restore"):
        assert instructor.post(f"{BANKS}/{trick}{suffix}", data=data).status_code == 404, suffix
    assert instructor.post(f"{BANKS}/archive/{trick}/restore", data={"csrf_token": token}).status_code == 404
    assert files_under(tmp_path) == before


@pytest.fixture
def outside_link(instructor, app, tmp_path: Path, banks_dir: Path) -> Path:
    """banks_dir/elsewhere.yaml: a link to a valid bank outside the banks folder, full of SECRET;
    prof owns the name, so what refuses it is the path, not the permission."""
    outside = tmp_path / "outside.yaml"
    outside.write_text(
        EVERY_TYPE_BANK.replace("title: Every type", "title: SECRET bank").replace(
            "Pick the capital", "SECRET capital"
        )
    )
    os.symlink(outside, banks_dir / "elsewhere.yaml")
    own(app, "elsewhere")
    return outside


def test_a_link_out_of_the_folder_is_never_opened_in_the_editor(instructor, outside_link):
    response = instructor.get(f"{BANKS}/elsewhere/edit")
    assert response.status_code == 404
    assert "SECRET" not in response.get_data(as_text=True)
    for url in (f"{BANKS}/elsewhere/history", f"{BANKS}/elsewhere/questions/new"):
        response = instructor.get(url)
        assert response.status_code == 404
        assert "SECRET" not in response.get_data(as_text=True)


def test_a_link_out_of_the_folder_shows_on_the_banks_page_as_not_served(instructor, outside_link):
    page = instructor.get(f"{BANKS}/").get_data(as_text=True)
    card = section(page, "elsewhere")
    assert "a link to a file outside the banks folder" in card
    assert "not served" in card
    assert "SECRET" not in page


def test_a_link_out_of_the_folder_is_not_offered_to_students(app, outside_link):
    ada = learner(app)
    home = ada.get("/").get_data(as_text=True)
    assert "SECRET" not in home
    assert "/banks/elsewhere/" not in home
    assert ada.get("/banks/elsewhere/quizzes/all").status_code == 404


def test_saving_over_a_link_out_of_the_folder_is_refused(instructor, outside_link, banks_dir):
    before = outside_link.read_text()
    token = banks_token(instructor)
    data = {"csrf_token": token, "base": sha(before), "text": "title: Overwritten\n", "action": "save"}
    assert instructor.post(f"{BANKS}/elsewhere/edit", data=data).status_code == 404
    fields = {"csrf_token": token, "id": "x", "prompt": "P", "truth": "true", "base": sha(before)}
    assert instructor.post(f"{BANKS}/elsewhere/questions/new?type=true_false", data=fields).status_code == 404
    assert instructor.post(f"{BANKS}/elsewhere/archive", data={"csrf_token": token}).status_code == 404
    assert outside_link.read_text() == before
    assert (banks_dir / "elsewhere.yaml").is_symlink()
    assert not (banks_dir / "archive").exists()


@pytest.fixture
def replaced_by_link_out(instructor, app, banks_dir: Path, tmp_path: Path) -> tuple[Path, int]:
    """every-type saved once through the app (so it has a history), then its file replaced by a
    link to tmp_path/secret.yaml; returns that file and the id of the bank's first revision."""
    save_through_editor(instructor, retitle("Saved once"))
    outside = tmp_path / "secret.yaml"
    outside.write_text("SECRET")
    path = banks_dir / "every-type.yaml"
    path.unlink()
    os.symlink(outside, path)
    return outside, revision_rows(app)[0]["id"]


def test_history_of_a_bank_since_replaced_by_a_link_out_is_not_found(instructor, replaced_by_link_out):
    response = instructor.get(f"{BANKS}/every-type/history")
    assert response.status_code == 404
    assert "SECRET" not in response.get_data(as_text=True)


def test_restore_over_a_bank_since_replaced_by_a_link_out_is_refused(instructor, replaced_by_link_out):
    outside, first = replaced_by_link_out
    response = instructor.post(
        f"{BANKS}/every-type/history/{first}/restore",
        data={"csrf_token": banks_token(instructor), "base": sha("SECRET"), "confirm": "yes"},
    )
    assert response.status_code == 404
    assert outside.read_text() == "SECRET"


# --- the archive ---------------------------------------------------------------------------------


def archive_every_type(client: FlaskClient) -> FlaskClient:
    response = client.post(
        f"{BANKS}/every-type/archive", data={"csrf_token": banks_token(client), "confirm": "yes"}
    )
    assert response.status_code == 302
    return client


def test_an_archived_bank_leaves_the_served_set_and_is_listed_under_archived(instructor, app, banks_dir):
    ada = learner(app)
    assert "Every type" in ada.get("/").get_data(as_text=True)
    archive_every_type(instructor)

    assert not (banks_dir / "every-type.yaml").exists()
    archived = list((banks_dir / "archive").glob("every-type.*.yaml"))
    assert len(archived) == 1
    assert archived[0].read_text() == EVERY_TYPE_BANK
    page = instructor.get(f"{BANKS}/").get_data(as_text=True)
    assert section(page, "every-type") == ""
    listed = page[page.index("<h2>Archived</h2>") :]
    assert archived[0].name in listed
    assert "Every type" not in ada.get("/").get_data(as_text=True)
    assert ada.get("/banks/every-type/quizzes/all").status_code == 404
    assert revision_rows(app)[-1]["action"] == "archive"


def test_restoring_an_archived_bank_serves_it_again(instructor, app, banks_dir):
    ada = learner(app)
    archive_every_type(instructor)
    name = next((banks_dir / "archive").glob("every-type.*.yaml")).name
    response = instructor.post(
        f"{BANKS}/archive/{name}/restore", data={"csrf_token": banks_token(instructor)}
    )
    assert response.status_code == 302
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK
    assert list((banks_dir / "archive").glob("*.yaml")) == []
    page = instructor.get(f"{BANKS}/").get_data(as_text=True)
    assert "Valid · 7 questions" in section(page, "every-type")
    assert "<h2>Archived</h2>" not in page
    assert "Every type" in ada.get("/").get_data(as_text=True)
    assert ada.get("/banks/every-type/quizzes/all").status_code == 200


def test_restoring_an_archived_bank_whose_slug_is_taken_again_is_refused(instructor, banks_dir):
    archive_every_type(instructor)
    archived = next((banks_dir / "archive").glob("every-type.*.yaml"))
    response = instructor.post(
        f"{BANKS}/",
        data={"csrf_token": banks_token(instructor), "slug": "every-type", "title": "Fresh start"},
    )
    assert response.status_code == 302
    fresh = (banks_dir / "every-type.yaml").read_text()

    response = instructor.post(
        f"{BANKS}/archive/{archived.name}/restore", data={"csrf_token": banks_token(instructor)}
    )
    assert response.status_code == 302
    page = text_of(instructor.get(response.headers["Location"]))
    assert "A bank called 'every-type' exists already" in page
    assert (banks_dir / "every-type.yaml").read_text() == fresh
    assert archived.read_text() == EVERY_TYPE_BANK


def test_restoring_an_archived_name_that_does_not_exist_is_not_found(instructor):
    response = instructor.post(
        f"{BANKS}/archive/every-type.20300101T000000Z.yaml/restore",
        data={"csrf_token": banks_token(instructor)},
    )
    assert response.status_code == 404


# --- who may ------------------------------------------------------------------------------------


def test_a_student_is_forbidden_every_bank_editing_page(app, student, banks_dir, tmp_path):
    with app.app_context():
        db.session.add(
            BankRevision(
                bank_slug="every-type", sha256=sha(EVERY_TYPE_BANK), action="disk", text=EVERY_TYPE_BANK
            )
        )
        db.session.commit()
    (banks_dir / "archive").mkdir()
    archived = banks_dir / "archive" / "old.20300101T000000Z.yaml"
    archived.write_text(EVERY_TYPE_BANK.replace("title: Every type", "title: Old", 1))
    before = {p: p.read_bytes() for p in files_under(tmp_path) if p.is_file()}

    token = csrf_token(student.get("/").get_data(as_text=True))
    base = sha(EVERY_TYPE_BANK)
    gets = [
        f"{BANKS}/",
        EDIT,
        f"{BANKS}/every-type/questions/new?type=single",
        f"{BANKS}/every-type/questions/single-q/edit",
        f"{BANKS}/every-type/history",
        f"{BANKS}/every-type/history?old=1&new=1",
    ]
    posts = [
        (f"{BANKS}/", {"slug": "student-bank", "title": "Mine"}),
        (EDIT, {"base": base, "text": "title: Hacked\n", "action": "save"}),
        (EDIT, {"base": base, "text": EVERY_TYPE_BANK, "action": "preview"}),
        (f"{BANKS}/every-type/questions/new?type=true_false", {"id": "x", "prompt": "P", "truth": "true"}),
        (
            f"{BANKS}/every-type/questions/single-q/edit",
            {"prompt": "Hacked", "answer": "Astana", "base": base},
        ),
        (f"{BANKS}/every-type/history/1/restore", {"base": base}),
        (f"{BANKS}/every-type/archive", {}),
        (f"{BANKS}/archive/{archived.name}/restore", {}),
    ]
    for url in gets:
        assert student.get(url).status_code == 403, url
    for url, data in posts:
        assert student.post(url, data={"csrf_token": token, **data}).status_code == 403, url

    after = {p: p.read_bytes() for p in files_under(tmp_path) if p.is_file()}
    assert after == before
    assert len(revision_rows(app)) == 1


def test_a_new_server_process_serves_the_last_saved_good_version_of_a_bank_broken_on_disk(
    app, instructor, banks_dir
):
    from quizapp import create_app

    page = instructor.get(EDIT).get_data(as_text=True)
    text = textarea(page).replace("Pick the capital of Kazakhstan.", "Pick the capital (saved).")
    response = instructor.post(
        EDIT, data={"csrf_token": csrf_token(page), "text": text, "base": base_of(page), "action": "save"}
    )
    assert response.status_code == 302
    (banks_dir / "every-type.yaml").write_text("title: broken\nquestions: [\n")

    fresh = create_app(
        {**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "BANKS_DIR")}}
    )
    with fresh.app_context():
        entry = fresh.extensions["quizapp.banks"].entry("every-type")
        assert entry.problems
        assert entry.bank.questions["single-q"].prompt == "Pick the capital (saved)."
        db.session.remove()
        db.engine.dispose()


def test_the_question_form_on_a_bank_broken_on_disk_says_to_fix_it_in_the_editor(instructor, banks_dir):
    url = f"{BANKS}/every-type/questions/single-q/edit"
    page = instructor.get(url).get_data(as_text=True)
    fields = form_with(page, field="prompt")
    broken = (DATA / "every-type.yaml").read_text() + "oops: [\n"
    (banks_dir / "every-type.yaml").write_text(broken)
    response = instructor.post(url, data={**fields, "prompt": "Changed"})
    assert response.status_code == 422
    assert "fix it in the editor first" in text_of(response)
    assert (banks_dir / "every-type.yaml").read_text() == broken
