"""The item analysis lists the wrong answers learners typed to each text question; a bank's editor
accepts a right wording into the bank's key (a new version, then the regrade's dry run) or rejects
a wrong one for every class that sets the bank."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.banks import load_bank
from quizapp.extensions import db
from quizapp.grades.stats import AnswerGroup, group_answers
from quizapp.models import Attempt, RejectedAnswer
from tests.factories import (
    RIGHT,
    clean,
    csrf_token,
    flashed_after,
    form_with,
    learner,
    other_instructor,
    own,
    redescribe,
    revision_rows,
    save_through_editor,
    text,
    text_of,
)

ANALYSIS = "/teach/classes/{}/quizzes/every-type/all/analysis"
ACTION = "/teach/classes/{}/quizzes/every-type/all/answers/{}"

#: text-q's key as every-type.yaml writes it, and a comment an author left beside it.
KEY_LINE = "    answer: [Zyxwvuts City, Zyxwvuts]"
COMMENT = "    # Learners also write the old name; decide before the exam."


@pytest.fixture
def bank_text(banks_dir) -> str:
    """every-type.yaml with an author's comment inside text-q; returns the file's text."""
    path = banks_dir / "every-type.yaml"
    path.write_text(path.read_text().replace(KEY_LINE, f"{COMMENT}\n{KEY_LINE}", 1))
    return path.read_text()


@pytest.fixture
def judged(app, instructor, seed, bank_text) -> dict:
    """prof owns every-type and sets quiz `all` in a class whose students typed, to text-q:
    "Zyxwvuts Town" (twice, and once "zyxwvuts town."), "Nowhere", the right answer, and nothing."""
    own(app, "every-type")
    users = {name: seed.user(name) for name in ("ada", "bob", "cyd", "dan", "eve", "fay")}
    class_id = seed.classroom(students=tuple(users.values()))
    typed = {
        "ada": "Zyxwvuts Town",
        "bob": "zyxwvuts town.",
        "cyd": "Zyxwvuts Town",
        "dan": "Nowhere",
        "eve": "Zyxwvuts City",
        "fay": None,
    }
    attempts = {name: seed.attempt(users[name], {**RIGHT, "text-q": typed[name]}) for name in users}
    return {"class": class_id, "attempts": attempts, "users": users}


def wrong_answers(page: str, question_id: str = "text-q") -> list[tuple[str, str]]:
    """(answer as typed, count) of each row of a question's list of wrong answers."""
    part = page.split(f'id="answers-{question_id}"', 1)[1].split("<h3", 1)[0]
    if 'class="wrong-answers' not in part:
        return []
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [tuple(clean(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[:2]) for row in rows]


def hidden(page: str, question_id: str = "text-q") -> tuple[str, list[str]]:
    """The summary of a question's rejected answers ("" if none) and the answers it lists."""
    part = page.split(f'id="answers-{question_id}"', 1)[1].split("<h3", 1)[0]
    details = re.search(r'<details class="rejected">(.*?)</details>', part, re.S)
    if not details:
        return "", []
    summary = clean(re.search(r"<summary>(.*?)</summary>", details.group(1), re.S).group(1))
    return summary, [
        clean(a) for a in re.findall(r'<span class="typed">(.*?)</span>', details.group(1), re.S)
    ]


def button(client, class_id: int, action: str, answer: str, question_id: str = "text-q"):
    """Press the item analysis's ``action`` button beside ``answer``, as a browser would."""
    page = text(client.get(ANALYSIS.format(class_id)))
    for form in re.findall(r"<form .*?</form>", page, re.S):
        if f"/answers/{action}" in form and f'name="question_id" value="{question_id}"' in form:
            fields = form_with(form, action=f"/answers/{action}")
            if fields["answer"] == answer:
                return client.post(ACTION.format(class_id, action), data=fields)
    raise AssertionError(f"no {action} button for {answer!r}")


def page_form(client, class_id: int, action: str, answer: str) -> dict[str, str]:
    """The fields of a button as the page offers them now (to post later, after something changed)."""
    page = text(client.get(ANALYSIS.format(class_id)))
    for form in re.findall(r"<form .*?</form>", page, re.S):
        if f"/answers/{action}" in form:
            fields = form_with(form, action=f"/answers/{action}")
            if fields["answer"] == answer:
                return fields
    raise AssertionError(f"no {action} button for {answer!r}")


def score(app, attempt: int) -> float:
    with app.app_context():
        return db.session.get(Attempt, attempt).score


# --- the list ------------------------------------------------------------------------------------


def test_grouping_folds_spellings_counts_them_and_names_each_group_by_its_commonest_spelling():
    typed = ["Paris", "b", "PARIS.", "Élan", "paris", "Paris", "elan", "...", "b"]

    assert group_answers(typed) == [
        AnswerGroup("paris", "Paris", 4),
        AnswerGroup("b", "b", 2),  # as often as élan, but typed first
        AnswerGroup("elan", "Élan", 2),  # as often as its other spelling, and typed first
    ]


def test_wrong_answers_are_grouped_by_normalised_form_with_counts_most_frequent_first(instructor, judged):
    page = text(instructor.get(ANALYSIS.format(judged["class"])))

    # The right answer and the unanswered one are not wrong answers; spellings fold into one.
    assert wrong_answers(page) == [("Zyxwvuts Town", "3"), ("Nowhere", "1")]
    assert 'id="answers-single-q"' not in page  # only text questions are listed


def test_the_spelling_shown_is_the_one_typed_most_often(instructor, seed, judged):
    for name in ("gus", "hal", "ian"):
        user = seed.user(name)
        seed.enrol(judged["class"], user)
        seed.attempt(user, {**RIGHT, "text-q": "ZYXWVUTS TOWN"})

    assert wrong_answers(text(instructor.get(ANALYSIS.format(judged["class"]))))[0] == ("ZYXWVUTS TOWN", "6")


def test_only_submitted_attempts_of_this_assignment_by_its_students_count(instructor, seed, judged):
    ada = judged["users"]["ada"]
    seed.attempt(ada, {**RIGHT, "text-q": "In progress"}, submitted=False)
    seed.attempt(ada, {**RIGHT, "text-q": "Practice answer"}, practice=True)
    outsider = seed.user("outsider")
    seed.attempt(outsider, {**RIGHT, "text-q": "Outsider answer"})
    other_class = seed.classroom(name="Other class", students=(seed.user("zed"),))
    seed.attempt(seed.user_id("zed"), {**RIGHT, "text-q": "Other class answer"})

    assert wrong_answers(text(instructor.get(ANALYSIS.format(judged["class"])))) == [
        ("Zyxwvuts Town", "3"),
        ("Nowhere", "1"),
    ]
    assert wrong_answers(text(instructor.get(ANALYSIS.format(other_class)))) == [("Other class answer", "1")]


def test_a_long_list_shows_the_twenty_most_frequent_and_says_how_many_more(instructor, seed, judged):
    ada = judged["users"]["ada"]
    for i in range(22):
        seed.attempt(ada, {**RIGHT, "text-q": f"Guess {i:02d}"})

    page = text(instructor.get(ANALYSIS.format(judged["class"])))

    listed = wrong_answers(page)
    assert len(listed) == 20
    assert listed[:2] == [("Zyxwvuts Town", "3"), ("Nowhere", "1")]
    assert listed[-1] == ("Guess 17", "1")  # ties keep the order they were first typed in
    assert "…and 4 more wrong answers" in text_of(instructor.get(ANALYSIS.format(judged["class"])))


# --- accepting -----------------------------------------------------------------------------------


def test_accepting_adds_the_answer_to_the_bank_as_a_new_version_keeping_its_comments(
    app, instructor, judged, banks_dir, bank_text
):
    response = button(instructor, judged["class"], "accept", "Zyxwvuts Town")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/analysis?regrade=1#regrade-heading")
    written = (banks_dir / "every-type.yaml").read_text()
    assert written == bank_text.replace(KEY_LINE, "    answer: [Zyxwvuts City, Zyxwvuts, Zyxwvuts Town]")
    assert COMMENT in written
    latest = revision_rows(app)[-1]
    assert (latest["action"], latest["author"], latest["text"]) == ("accept", "prof", written)
    assert load_bank(banks_dir / "every-type.yaml").questions["text-q"].answer[-1] == "Zyxwvuts Town"


def test_after_accepting_the_dry_run_shows_the_score_changes_and_applying_it_raises_them(
    app, instructor, judged
):
    before = score(app, judged["attempts"]["ada"])

    page = flashed_after(instructor, button(instructor, judged["class"], "accept", "Zyxwvuts Town"))

    assert "Added “Zyxwvuts Town” to the accepted answers of text-q" in page
    assert "nothing changes until you apply it" in page
    regrade = page.split('id="regrade-heading"', 1)[1]
    assert "3 attempts would change" in regrade
    rows = re.findall(r"<tr><td[^>]*>(\w+)</td>.*?<td[^>]*>([+-][\d.]+)</td></tr>", regrade, re.S)
    assert sorted(rows) == [("ada", "+1.00"), ("bob", "+1.00"), ("cyd", "+1.00")]
    assert score(app, judged["attempts"]["ada"]) == before  # a dry run only
    assert wrong_answers(page) == [("Nowhere", "1")]

    applied = instructor.post(
        f"/teach/classes/{judged['class']}/quizzes/every-type/all/regrade",
        data=form_with(page, action="/regrade"),
    )

    assert applied.status_code == 302
    assert score(app, judged["attempts"]["ada"]) == before + 1
    assert score(app, judged["attempts"]["dan"]) == score(app, judged["attempts"]["fay"])  # still wrong


@pytest.mark.parametrize("how", ["the editor", "its file"])
def test_a_bank_changed_since_the_page_was_built_is_not_written_and_the_answer_is_offered_again(
    app, instructor, judged, banks_dir, how
):
    fields = page_form(instructor, judged["class"], "accept", "Zyxwvuts Town")
    if how == "the editor":
        save_through_editor(instructor, redescribe("Changed in the editor."))
    else:
        path = banks_dir / "every-type.yaml"
        path.write_text(redescribe("Changed on disk.")(path.read_text()))
    changed = (banks_dir / "every-type.yaml").read_text()

    response = instructor.post(ACTION.format(judged["class"], "accept"), data=fields)

    assert response.headers["Location"].endswith("/analysis#answers-heading")
    page = text_of(instructor.get(response.headers["Location"]))
    assert "changed since this page was shown" in page
    assert "“Zyxwvuts Town” was not added and nothing was written" in page
    assert (banks_dir / "every-type.yaml").read_text() == changed
    assert "accept" not in [r["action"] for r in revision_rows(app)]
    assert ("Zyxwvuts Town", "3") in wrong_answers(page)
    # Offered again against the bank as it is now: accepting it this time works.
    assert button(instructor, judged["class"], "accept", "Zyxwvuts Town").status_code == 302
    assert "Zyxwvuts Town]" in (banks_dir / "every-type.yaml").read_text()


def test_an_answer_accepted_meanwhile_is_reported_and_not_added_twice(app, instructor, judged, banks_dir):
    first = page_form(instructor, judged["class"], "accept", "Zyxwvuts Town")
    second = dict(first, answer="zyxwvuts town.")  # another spelling of it, from a page shown meanwhile
    instructor.post(ACTION.format(judged["class"], "accept"), data=first)
    written = (banks_dir / "every-type.yaml").read_text()
    versions = len(revision_rows(app))

    response = instructor.post(ACTION.format(judged["class"], "accept"), data=second)

    assert "“zyxwvuts town.” is already accepted for text-q; nothing was added." in text_of(
        instructor.get(response.headers["Location"])
    )
    assert (banks_dir / "every-type.yaml").read_text() == written
    assert written.count("Zyxwvuts Town") == 1
    assert len(revision_rows(app)) == versions


def test_a_bank_that_no_longer_validates_is_not_written(app, instructor, judged, banks_dir):
    fields = page_form(instructor, judged["class"], "accept", "Zyxwvuts Town")
    path = banks_dir / "every-type.yaml"
    broken = path.read_text().replace("type: text", "type: texte")
    path.write_text(broken)
    versions = len(revision_rows(app))

    page = flashed_after(instructor, instructor.post(ACTION.format(judged["class"], "accept"), data=fields))

    assert "no longer validates, so nothing was added: fix it in the editor first" in clean(page)
    assert path.read_text() == broken
    assert len(revision_rows(app)) == versions


@pytest.mark.parametrize(
    ("question_id", "message"),
    [
        ("gone-q", "The bank 'every-type' no longer has a question 'gone-q'; nothing was added."),
        ("single-q", "The question 'single-q' is no longer a text question; nothing was added."),
    ],
)
def test_a_question_no_longer_in_the_bank_or_no_longer_text_is_refused(
    app, instructor, judged, banks_dir, bank_text, question_id, message
):
    fields = dict(page_form(instructor, judged["class"], "accept", "Zyxwvuts Town"), question_id=question_id)

    page = flashed_after(instructor, instructor.post(ACTION.format(judged["class"], "accept"), data=fields))

    assert message in clean(page)
    assert (banks_dir / "every-type.yaml").read_text() == bank_text


# --- rejecting -----------------------------------------------------------------------------------


def test_rejecting_hides_the_answer_here_and_in_another_class_that_sets_the_bank(
    app, instructor, seed, judged
):
    other = seed.classroom(name="Second class", students=(seed.user("kit"),))
    seed.attempt(seed.user_id("kit"), {**RIGHT, "text-q": "ZYXWVUTS TOWN"})

    page = flashed_after(instructor, button(instructor, judged["class"], "reject", "Zyxwvuts Town"))

    assert "“Zyxwvuts Town” rejected for text-q" in clean(page)
    assert wrong_answers(page) == [("Nowhere", "1")]
    assert hidden(page) == ("1 rejected answer hidden", ["Zyxwvuts Town"])
    elsewhere = text(instructor.get(ANALYSIS.format(other)))
    assert wrong_answers(elsewhere) == []
    assert hidden(elsewhere) == ("1 rejected answer hidden", ["ZYXWVUTS TOWN"])
    with app.app_context():
        [row] = db.session.scalars(select(RejectedAnswer)).all()
        assert (row.bank_slug, row.question_id, row.answer, row.rejecter.username) == (
            "every-type",
            "text-q",
            "zyxwvuts town",
            "prof",
        )


def test_rejecting_twice_keeps_one_rejection(app, instructor, judged):
    fields = page_form(instructor, judged["class"], "reject", "Nowhere")
    for _ in range(2):
        assert instructor.post(ACTION.format(judged["class"], "reject"), data=fields).status_code == 302

    with app.app_context():
        assert len(db.session.scalars(select(RejectedAnswer)).all()) == 1


def test_a_rejected_answer_can_be_offered_again(instructor, judged):
    button(instructor, judged["class"], "reject", "Nowhere")

    page = flashed_after(instructor, button(instructor, judged["class"], "unreject", "Nowhere"))

    assert "“Nowhere” is offered again for text-q." in clean(page)
    assert wrong_answers(page) == [("Zyxwvuts Town", "3"), ("Nowhere", "1")]
    assert hidden(page) == ("", [])


def test_a_rejected_answer_accepted_later_leaves_both_lists(instructor, judged):
    button(instructor, judged["class"], "reject", "Nowhere")
    save_through_editor(
        instructor, lambda t: t.replace(KEY_LINE, "    answer: [Zyxwvuts City, Zyxwvuts, Nowhere]")
    )

    page = text(instructor.get(ANALYSIS.format(judged["class"])))

    assert wrong_answers(page) == [("Zyxwvuts Town", "3")]
    assert hidden(page) == ("", [])


# --- who may do what -----------------------------------------------------------------------------


def test_an_editor_of_the_bank_who_runs_the_class_may_accept_and_reject(app, seed, banks_dir):
    edna = other_instructor(app, "edna")
    own(app, "every-type", "edna", role="editor")
    class_id = seed.classroom(instructor="edna", students=(seed.user("ada"),))
    for answer in ("Zyxwvuts Town", "Nowhere"):
        seed.attempt(seed.user_id("ada"), {**RIGHT, "text-q": answer})

    assert button(edna, class_id, "accept", "Zyxwvuts Town").status_code == 302
    assert button(edna, class_id, "reject", "Nowhere").status_code == 302

    assert "Zyxwvuts Town]" in (banks_dir / "every-type.yaml").read_text()
    page = text(edna.get(ANALYSIS.format(class_id)))
    assert wrong_answers(page) == []
    assert hidden(page) == ("1 rejected answer hidden", ["Nowhere"])


def test_an_instructor_who_may_set_the_bank_but_not_edit_it_sees_the_list_without_buttons(
    app, seed, bank_text, banks_dir
):
    kim = other_instructor(app, "kim")  # every-type has no owner: a site bank kim may set, not edit
    class_id = seed.classroom(instructor="kim", students=(seed.user("ada"),))
    seed.attempt(seed.user_id("ada"), {**RIGHT, "text-q": "Zyxwvuts Town"})

    page = text(kim.get(ANALYSIS.format(class_id)))

    assert wrong_answers(page) == [("Zyxwvuts Town", "1")]
    assert "/answers/accept" not in page
    assert "/answers/reject" not in page
    assert "Only the owners and editors of every-type can accept or reject answers." in page
    token = csrf_token(page)
    for action in ("accept", "reject", "unreject"):
        data = {"csrf_token": token, "question_id": "text-q", "answer": "Zyxwvuts Town", "base": ""}
        response = kim.post(ACTION.format(class_id, action), data=data)
        assert response.status_code == 403
        assert "Only the owners and editors of the bank 'every-type' may accept or reject answers" in text_of(
            response
        )
    assert (banks_dir / "every-type.yaml").read_text() == bank_text
    with app.app_context():
        assert db.session.scalars(select(RejectedAnswer)).all() == []


def test_another_instructors_class_is_not_found(app, instructor, seed, judged, bank_text, banks_dir):
    fields = page_form(instructor, judged["class"], "accept", "Zyxwvuts Town")
    kim = other_instructor(app, "kim")
    own(app, "every-type", "kim", role="editor")  # may edit the bank, but the class is prof's

    assert kim.get(ANALYSIS.format(judged["class"])).status_code == 404
    for action in ("accept", "reject", "unreject"):
        data = {**fields, "csrf_token": csrf_token(text(kim.get("/teach/")))}
        assert kim.post(ACTION.format(judged["class"], action), data=data).status_code == 404
    assert (banks_dir / "every-type.yaml").read_text() == bank_text


def test_a_student_is_refused(app, judged, bank_text, banks_dir):
    zoe = learner(app, "zoe")
    token = csrf_token(text(zoe.get("/")))
    data = {"csrf_token": token, "question_id": "text-q", "answer": "Zyxwvuts Town", "base": ""}

    for action in ("accept", "reject", "unreject"):
        assert zoe.post(ACTION.format(judged["class"], action), data=data).status_code == 403
    assert (banks_dir / "every-type.yaml").read_text() == bank_text


def test_a_post_without_its_csrf_token_is_refused_and_writes_nothing(
    app, instructor, judged, banks_dir, bank_text
):
    fields = page_form(instructor, judged["class"], "accept", "Zyxwvuts Town")
    del fields["csrf_token"]

    for action in ("accept", "reject"):
        assert instructor.post(ACTION.format(judged["class"], action), data=fields).status_code == 400
    assert (banks_dir / "every-type.yaml").read_text() == bank_text
    with app.app_context():
        assert db.session.scalars(select(RejectedAnswer)).all() == []


def test_a_form_missing_the_answer_is_refused(instructor, judged, banks_dir, bank_text):
    fields = page_form(instructor, judged["class"], "accept", "Zyxwvuts Town")
    fields["answer"] = ""

    assert instructor.post(ACTION.format(judged["class"], "accept"), data=fields).status_code == 400
    assert (banks_dir / "every-type.yaml").read_text() == bank_text


# --- what learners typed, shown and written safely -----------------------------------------------

SCRIPT = "<script>alert('x')</script>"
FORMULA = "=cmd|' /C calc'!A0"
#: 498 characters: near the longest answer a learner may type (MAX_TEXT_ANSWER, 500).
LONG = "Zyxwvuts " + "very " * 97 + "long"


@pytest.mark.parametrize("answer", [SCRIPT, FORMULA, LONG], ids=["script", "formula", "long"])
def test_learners_answers_are_escaped_on_the_page_and_written_to_the_bank_as_typed(
    app, instructor, judged, seed, banks_dir, answer
):
    seed.attempt(judged["users"]["dan"], {**RIGHT, "text-q": answer})

    raw = text(instructor.get(ANALYSIS.format(judged["class"])))

    assert "<script>alert" not in raw
    assert (answer, "1") in wrong_answers(raw)
    page = flashed_after(instructor, button(instructor, judged["class"], "accept", answer))
    assert "<script>alert" not in page
    assert load_bank(banks_dir / "every-type.yaml").questions["text-q"].answer[-1] == answer
    assert answer not in [typed for typed, _ in wrong_answers(page)]
    shown = answer if len(answer) <= 80 else answer[:80] + "…"
    assert f"Added “{shown}” to the accepted answers of text-q" in clean(page)
