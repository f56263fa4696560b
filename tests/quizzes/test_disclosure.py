"""One rule for what a learner sees of a quiz's results and key, asked by every surface: result
pages, history, the quiz page, the home page, flashcards (a deck and the due queue) and the Anki
export. It fails closed, and an instructor's view of a class's result shows everything."""

from __future__ import annotations

import html
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from quizapp.banks.review import MOMENTS
from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, CardState, Classroom, Enrollment, User, utcnow
from quizapp.quizzes.disclosure import Disclosure
from tests.factories import (
    SHIPPED_BANKS,
    archive_bank,
    csrf_token,
    login,
    make_instructor,
    read_apkg,
    register,
    start,
)

KEY, WHY, FEEDBACK = "ZQKEYZ", "ZQWHYZ", "ZQNOTEZ"


def submit_blank(client, path: str):
    """Submit an attempt from its summary page with nothing answered."""
    summary = client.get(f"{path}/summary").get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(summary)})
    assert response.status_code == 302
    return response


def every_card_back(client, scope: str, limit: int = 80) -> str:
    """Open and reveal every card the study queue offers (rating each Good), all backs joined."""
    seen = []
    for _ in range(limit):
        page = client.get(f"/study/{scope}").get_data(as_text=True)
        match = re.search(r'name="card" value="(\d+)"|show=(\d+)', page)
        if not match:
            break
        state_id = match.group(1) or match.group(2)
        back = client.get(f"/study/{scope}?show={state_id}").get_data(as_text=True)
        seen.append(back)
        reps = re.search(r'name="reps" value="(\d+)"', back)
        if not reps:
            break
        client.post(
            f"/study/{scope}/review",
            data={"csrf_token": csrf_token(back), "card": state_id, "reps": reps.group(1), "rating": "3"},
        )
    return "\n".join(seen)


# --- the leaks found in the app ------------------------------------------------------------------


@pytest.fixture
def shipped(banks_dir: Path) -> Path:
    shutil.copy(SHIPPED_BANKS / "csto-2022.yaml", banks_dir / "csto-2022.yaml")
    return banks_dir


def founding_keys(app) -> dict[str, str]:
    with app.app_context():
        bank = app.extensions["quizapp.banks"].get("csto-2022")
        return {q.id: q.answer_text() for q in bank.quizzes["founding"].pool(bank.questions)}


def founding_prompts(app) -> set[str]:
    with app.app_context():
        bank = app.extensions["quizapp.banks"].get("csto-2022")
        return {html.escape(q.prompt, quote=False) for q in bank.quizzes["founding"].pool(bank.questions)}


def revealed_fronts(backs: str) -> set[str]:
    """The fronts of the cards whose back was shown."""
    return set(re.findall(r'<h1 id="front" class="front">(.*?)</h1>\s*<div class="back"', backs, re.S))


def test_after_attempt_1_of_3_the_due_queue_shows_no_missed_question_with_its_answer(app, shipped, student):
    path = start(student, "csto-2022", "founding")
    submit_blank(student, path)
    with app.app_context():
        missed = set(db.session.scalars(select(CardState.card_id).where(CardState.origin == "missed")))
    assert missed == set(founding_keys(app))  # the misses went into the flashcard queue, due now

    backs = every_card_back(student, "due")

    fronts = revealed_fronts(backs)
    assert fronts  # the other quizzes' questions still come up, answers and all
    assert not fronts & founding_prompts(app)
    assert "wait until a quiz shows their answers" in student.get("/study/").get_data(as_text=True)


def test_after_attempt_1_of_3_the_anki_deck_leaves_out_the_founding_questions(
    app, shipped, student, tmp_path
):
    keys = founding_keys(app)
    before = read_apkg(student.get("/study/csto-2022/anki.apkg").data, tmp_path)
    path = start(student, "csto-2022", "founding")
    submit_blank(student, path)

    after = read_apkg(student.get("/study/csto-2022/anki.apkg").data, tmp_path)

    # Before any attempt the quiz keeps its key too: its questions are never in a learner's deck
    # while a quiz they may take keeps them.
    assert len(before.fields) == len(after.fields)
    fronts = " ".join(fields[0] for fields in after.fields.values())
    with app.app_context():
        bank = app.extensions["quizapp.banks"].get("csto-2022")
        prompts = {q.id: q.prompt for q in bank.quizzes["founding"].pool(bank.questions)}
    for question_id in keys:
        assert prompts[question_id][:40] not in fronts, question_id
    assert len(after.fields) < 56


def test_once_the_last_attempt_is_used_the_deck_and_the_queue_hold_the_founding_answers(
    app, shipped, student, tmp_path
):
    for _ in range(3):
        submit_blank(student, start(student, "csto-2022", "founding"))
    deck = read_apkg(student.get("/study/csto-2022/anki.apkg").data, tmp_path)
    with app.app_context():
        bank = app.extensions["quizapp.banks"].get("csto-2022")
        total = len(bank.questions) + len(bank.cards)
        kept = set().union(
            *(
                {q.id for q in quiz.pool(bank.questions)}
                for quiz in bank.quizzes.values()
                if quiz.id != "founding" and quiz.review.answer != frozenset(MOMENTS)
            )
        )
    assert len(deck.fields) == total - len(kept - set(founding_keys(app)))


def test_a_result_whose_key_is_hidden_stays_hidden_when_the_bank_is_archived(
    app, student, make_bank, banks_dir
):
    make_bank(
        "hidden",
        f"""
        title: Hidden
        questions:
          - {{id: capital, type: text, prompt: Capital?, answer: {KEY}, explanation: {WHY}}}
        quizzes:
          - {{id: q, title: Q, questions: [capital], attempts: 3, answers: after-last-attempt}}
        """,
    )
    path = start(student, "hidden", "q")
    submit_blank(student, path)
    assert KEY not in student.get(path).get_data(as_text=True)

    archive_bank(app, "hidden")

    page = student.get(path).get_data(as_text=True)
    assert KEY not in page
    assert WHY not in page
    assert "no longer served" in page


# --- every surface at every moment -----------------------------------------------------------------

#: For the result surfaces: the moments that hold in each situation (all attempts submitted ten
#: minutes ago but in the first; the window open but in the last).
RESULT_MOMENTS = {
    "immediately": {"immediately"},
    "while-open": {"while-open"},
    "after-last-attempt": {"while-open", "after-last-attempt"},
    "after-close": {"after-close"},
}
#: For flashcards and the deck: the moments a learner is in, or reaches by finishing an attempt now.
REACHABLE = {
    "immediately": {"immediately", "while-open"},
    "while-open": {"immediately", "while-open"},
    "after-last-attempt": {"while-open", "after-last-attempt"},
    "after-close": {"after-close"},
}


@pytest.fixture
def timed_bank(make_bank):
    def make(moment: str) -> None:
        make_bank(
            "review",
            f"""
            title: Review
            questions:
              - id: capital
                type: single
                prompt: Which city?
                choices: [Astana, {KEY}]
                shuffle: false
                answer: {KEY}
                feedback: {{Astana: {FEEDBACK}}}
                explanation: {WHY}
            quizzes:
              - id: q
                title: Timed review
                questions: [capital]
                attempts: 2
                review: {{score: [{moment}], correctness: [{moment}], answer: [{moment}], explanation: [{moment}], feedback: [{moment}]}}
            """,
        )

    return make


@pytest.fixture
def set_for_class(app, student):
    """The quiz set for a class the learner is in, open for now; returns the assignment's id."""
    make_instructor(app, "prof")
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.username == "ada"))
        prof = db.session.scalar(select(User).where(User.username == "prof"))
        classroom = Classroom(name="Eurasian History", instructor_id=prof.id, join_code="ACDEFGHJ")
        db.session.add(classroom)
        db.session.flush()
        db.session.add(
            Enrollment(classroom_id=classroom.id, user_id=learner.id, joined_at=utcnow() - timedelta(days=1))
        )
        assignment = Assignment(classroom_id=classroom.id, bank_slug="review", quiz_id="q")
        db.session.add(assignment)
        db.session.commit()
        return assignment.id


def bring_about(app, client, situation: str, assignment_id: int) -> str:
    """Put the learner in a situation: attempts made, time passed, window closed. Returns the path
    of their last attempt."""
    for _ in range(2 if situation == "after-last-attempt" else 1):
        path = start(client, "review", "q")
        page = client.get(path).get_data(as_text=True)
        assert client.post(path, data={"csrf_token": csrf_token(page), "q0": "0"}).status_code == 302
    with app.app_context():
        if situation != "immediately":
            db.session.execute(update(Attempt).values(submitted_at=utcnow() - timedelta(minutes=10)))
        if situation == "after-close":
            db.session.execute(
                update(Assignment)
                .where(Assignment.id == assignment_id)
                .values(closes_at=utcnow() - timedelta(minutes=1))
            )
        db.session.commit()
    return path


@pytest.mark.parametrize("situation", MOMENTS)
@pytest.mark.parametrize("moment", MOMENTS)
def test_every_surface_shows_a_part_only_at_its_moments(
    app, student, timed_bank, set_for_class, moment, situation, tmp_path
):
    timed_bank(moment)
    path = bring_about(app, student, situation, set_for_class)
    shown = moment in RESULT_MOMENTS[situation]
    card_shown = moment in REACHABLE[situation]

    result = student.get(path).get_data(as_text=True)
    assert (KEY in result) is shown, "result page: correct answer"
    assert (WHY in result) is shown, "result page: explanation"
    assert (FEEDBACK in result) is shown, "result page: choice feedback"
    assert ("You scored" in result) is shown, "result page: score"
    assert (">Wrong<" in result or ">Right<" in result) is shown, "result page: right or wrong"

    history = student.get("/history").get_data(as_text=True)
    assert ("(0%)" in history or "(100%)" in history) is shown, "history: score"
    assert ("not shown yet" in history) is not shown
    quiz_page = student.get("/banks/review/quizzes/q").get_data(as_text=True)
    assert ("Your grade" in quiz_page) is shown, "quiz page: grade"
    home = student.get("/").get_data(as_text=True)
    assert ("Best:" in home) is shown, "home: best score"

    backs = every_card_back(student, "review")
    assert (f'<p class="answer">{KEY}</p>' in backs) is card_shown, "flashcards: the answer on the back"
    deck = read_apkg(student.get("/study/review/anki.apkg").data, tmp_path)
    assert (len(deck.fields) == 1) is card_shown, "Anki export: the question's note"


def test_the_instructor_sees_the_whole_result_whatever_the_learner_may(
    app, student, timed_bank, set_for_class, client
):
    timed_bank("after-close")
    path = bring_about(app, student, "while-open", set_for_class)
    attempt_id = int(path.rsplit("/", 1)[1])
    assert KEY not in student.get(path).get_data(as_text=True)
    token = csrf_token(student.get("/").get_data(as_text=True))
    student.post("/logout", data={"csrf_token": token})

    assert login(client, "prof").status_code == 302
    with app.app_context():
        class_id = db.session.scalar(select(Classroom.id))
    page = client.get(f"/teach/classes/{class_id}/attempts/{attempt_id}").get_data(as_text=True)
    assert KEY in page
    assert WHY in page
    assert "scored" in page


def test_a_quiz_the_learner_cannot_take_keeps_its_questions_out_of_their_cards(
    app, client, make_bank, tmp_path
):
    make_bank(
        "exam",
        f"""
        title: Exam
        questions:
          - {{id: capital, type: text, prompt: Capital?, answer: {KEY}}}
        quizzes:
          - {{id: q, title: Final, questions: [capital], practice: never}}
        """,
    )
    register(client, "ada")
    assert KEY not in every_card_back(client, "exam")
    assert read_apkg(client.get("/study/exam/anki.apkg").data, tmp_path).fields == {}


# --- may_reveal_key: the rule for the key outside results, case by case ----------------------------


def may_reveal(app, slug: str, quiz_id: str = "q") -> bool:
    """Whether ``Disclosure.may_reveal_key`` lets learner 'ada' see the quiz's key now."""
    with app.app_context():
        ada = db.session.scalar(select(User.id).where(User.username == "ada"))
        bank = app.extensions["quizapp.banks"].get(slug)
        return Disclosure(ada).may_reveal_key(slug, bank.quizzes[quiz_id])


def one_question_bank(make_bank, slug: str, quiz: str) -> None:
    make_bank(
        slug,
        f"""
        title: {slug}
        questions:
          - {{id: capital, type: text, prompt: Capital?, answer: {KEY}}}
        quizzes:
          - {{id: q, title: Q, questions: [capital], {quiz}}}
        """,
    )


def test_may_reveal_key_when_finishing_an_attempt_now_would_show_it(app, student, make_bank):
    one_question_bank(make_bank, "open-key", "attempts: unlimited")
    assert may_reveal(app, "open-key")


def test_may_reveal_key_after_the_last_attempt_only_once_none_is_left(app, student, make_bank):
    one_question_bank(make_bank, "late-key", "attempts: 2, answers: after-last-attempt")
    assert not may_reveal(app, "late-key")
    submit_blank(student, start(student, "late-key", "q"))
    assert not may_reveal(app, "late-key")
    submit_blank(student, start(student, "late-key", "q"))
    assert may_reveal(app, "late-key")


def test_may_reveal_key_never_for_a_quiz_the_learner_cannot_take(app, student, make_bank):
    one_question_bank(make_bank, "exam", "practice: never")
    assert not may_reveal(app, "exam")


def test_may_reveal_key_after_close_only_once_the_class_window_has_closed(
    app, student, timed_bank, set_for_class
):
    timed_bank("after-close")
    assert not may_reveal(app, "review")
    with app.app_context():
        closed = utcnow() - timedelta(minutes=1)
        db.session.execute(update(Assignment).where(Assignment.id == set_for_class).values(closes_at=closed))
        db.session.commit()
    assert may_reveal(app, "review")
