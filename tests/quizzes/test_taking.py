"""Taking a quiz through the test client: the whole flow, grading, integrity and access."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Response
from tests.factories import (
    DATA,
    answer_form,
    archive_bank,
    csrf_token,
    logout,
    register,
    shown_questions,
    start,
    submit,
)

KEY_MARKERS = ("EXPLANATION-", "FEEDBACK-", "Zyxwvuts", "98765")


def stored_attempts(app) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(select(Attempt).order_by(Attempt.id)))


def test_a_learner_takes_a_quiz_and_sees_the_score_explanations_and_citations(app, student):
    home = student.get("/").get_data(as_text=True)
    assert "Every type" in home
    path = start(student, "every-type", "all")
    page = student.get(path).get_data(as_text=True)
    assert page.count("<fieldset") == 7
    assert "Question 1 of 7" in page
    assert "<progress" in page

    response = submit(student, path, answer_form(shown_questions(app, path)))
    assert response.status_code == 302
    result = student.get(response.headers["Location"]).get_data(as_text=True)
    assert "7 / 7" in result
    assert "(100%)" in result
    assert result.count(">Right<") == 7
    assert "EXPLANATION-SINGLE" in result
    assert "Paragraph 1 of <cite>Test source</cite>" in result
    assert "Best: 100%" in student.get("/").get_data(as_text=True)


def test_wrong_answers_show_the_correct_answer_feedback_and_partial_credit(app, student):
    path = start(student, "every-type", "all")
    questions = shown_questions(app, path)
    form = answer_form(questions, right=False)
    single = next(i for i, q in enumerate(questions) if q["type"] == "single")
    form[f"q{single}"] = str(questions[single]["choices"].index("Bishkek"))
    multi = next(i for i, q in enumerate(questions) if q["type"] == "multi")
    form[f"q{multi}"] = [str(questions[multi]["choices"].index("Russia"))]
    submit(student, path, form)

    result = student.get(path).get_data(as_text=True)
    assert "Partly right" in result
    assert "FEEDBACK-SINGLE-BISHKEK" in result
    assert "FEEDBACK-SINGLE-ASTANA" not in result
    assert "Correct answer" in result
    assert "Astana" in result
    [attempt] = stored_attempts(app)
    assert attempt.score == pytest.approx(0.5)
    with app.app_context():
        outcomes = dict(db.session.execute(select(Response.question_id, Response.outcome)).all())
    assert outcomes["multi-q"] == "partial"
    assert outcomes["single-q"] == "wrong"


def test_unanswered_questions_score_zero_and_say_so(app, student):
    path = start(student, "every-type", "all")
    submit(student, path, {})
    result = student.get(path).get_data(as_text=True)
    assert result.count(">Not answered<") == 7
    assert stored_attempts(app)[0].score == 0


def test_the_quiz_page_holds_no_answer_key_explanation_or_feedback(app, student):
    path = start(student, "every-type", "all")
    page = student.get(path).get_data(as_text=True)
    for marker in KEY_MARKERS:
        assert marker not in page
    questions = {q["type"]: q for q in shown_questions(app, path)}
    order = questions["order"]
    assert sorted(order["answer"], key=page.index) == order["items"]  # shown as drawn, not as keyed
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page.split('id="q6"')[1])
    assert options[:4] == ["Armenia", "Belarus", "Georgia", "Kazakhstan"]


def test_submitting_twice_keeps_the_first_score(app, student):
    path = start(student, "every-type", "all")
    questions = shown_questions(app, path)
    first = submit(student, path, answer_form(questions, right=True))
    assert first.status_code == 302
    token = csrf_token(student.get("/").get_data(as_text=True))
    replay = student.post(path, data={"csrf_token": token, **answer_form(questions, right=False)})
    assert replay.status_code == 302
    page = student.get(replay.headers["Location"]).get_data(as_text=True)
    assert "already submitted" in page
    assert "7 / 7" in page
    [attempt] = stored_attempts(app)
    assert attempt.score == 7
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 7


def test_going_back_to_a_submitted_attempt_shows_its_result_not_the_form(app, student):
    path = start(student, "every-type", "all")
    submit(student, path, answer_form(shown_questions(app, path)))
    page = student.get(path).get_data(as_text=True)
    assert "You scored" in page
    assert "<fieldset" not in page


def test_a_number_that_is_not_one_is_sent_back_with_a_message_and_every_answer_kept(app, student):
    path = start(student, "every-type", "all")
    questions = shown_questions(app, path)
    form = answer_form(questions)
    numeric = next(i for i, q in enumerate(questions) if q["type"] == "numeric")
    text = next(i for i, q in enumerate(questions) if q["type"] == "text")
    form[f"q{numeric}"] = "about ninety"
    response = submit(student, path, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a number" in page
    assert 'value="about ninety"' in page
    assert f'name="q{text}" value="Zyxwvuts City"' in page
    assert page.count(" checked") >= 3
    assert stored_attempts(app)[0].submitted_at is None


def test_an_order_with_a_position_used_twice_is_sent_back(app, student):
    path = start(student, "every-type", "all")
    questions = shown_questions(app, path)
    form = answer_form(questions)
    order = next(i for i, q in enumerate(questions) if q["type"] == "order")
    form[f"q{order}-0"] = form[f"q{order}-1"] = "1"
    response = submit(student, path, form)
    assert response.status_code == 422
    assert "different position from 1 to 4" in response.get_data(as_text=True)


def test_starting_again_resumes_the_unfinished_attempt(student):
    assert start(student, "every-type", "all") == start(student, "every-type", "all")


def test_the_attempts_limit_is_enforced_on_the_server(app, student):
    for _ in range(2):
        path = start(student, "every-type", "all")
        submit(student, path, {})
    quiz_page = student.get("/banks/every-type/quizzes/all").get_data(as_text=True)
    assert "You have used all 2 attempts at this quiz." in quiz_page
    assert 'action="/banks/every-type/quizzes/all/start"' not in quiz_page
    response = student.post("/banks/every-type/quizzes/all/start", data={"csrf_token": csrf_token(quiz_page)})
    assert response.status_code == 302
    assert "used all 2 attempts" in student.get(response.headers["Location"]).get_data(as_text=True)
    assert len(stored_attempts(app)) == 2


def test_a_learner_cannot_reach_another_learners_attempt(app, client):
    register(client, "ada")
    path = start(client, "every-type", "all")
    logout(client)
    register(client, "bob")
    assert client.get(path).status_code == 404
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post(path, data={"csrf_token": token, "q0": "0"}).status_code == 404
    assert path not in client.get("/history").get_data(as_text=True)
    assert stored_attempts(app)[0].submitted_at is None


def test_history_lists_the_learners_attempts_with_scores_and_links(app, student):
    path = start(student, "every-type", "all")
    submit(student, path, answer_form(shown_questions(app, path)))
    history = student.get("/history").get_data(as_text=True)
    assert f'href="{path}"' in history
    assert "7 / 7 (100%)" in history
    assert "UTC" in history


def test_a_later_edit_of_the_bank_changes_neither_the_score_nor_the_result_page(app, student, banks_dir):
    path = start(student, "every-type", "all")
    submit(student, path, answer_form(shown_questions(app, path)))
    edited = (DATA / "every-type.yaml").read_text()
    edited = edited.replace("answer: Astana", "answer: Bishkek").replace("EXPLANATION-SINGLE", "REWRITTEN")
    (banks_dir / "every-type.yaml").write_text(edited)

    after = student.get(path).get_data(as_text=True)
    assert "REWRITTEN" not in after
    assert "EXPLANATION-SINGLE" in after
    assert "7 / 7" in after
    assert stored_attempts(app)[0].score == 7


def test_an_attempt_is_graded_against_the_questions_it_showed_even_if_the_bank_changed(
    app, student, banks_dir
):
    path = start(student, "every-type", "all")
    form = answer_form(shown_questions(app, path))
    edited = (DATA / "every-type.yaml").read_text().replace("answer: Astana", "answer: Bishkek")
    (banks_dir / "every-type.yaml").write_text(edited)
    submit(student, path, form)
    [attempt] = stored_attempts(app)
    assert attempt.score == 7
    assert attempt.bank_sha256 != __import__("hashlib").sha256(edited.encode()).hexdigest()


def test_a_past_result_still_opens_after_its_bank_is_archived_but_reveals_nothing(app, student, banks_dir):
    path = start(student, "every-type", "all")
    submit(student, path, answer_form(shown_questions(app, path)))
    archive_bank(app, "every-type")
    assert not (banks_dir / "every-type.yaml").exists()
    page = student.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Astana" in html  # the learner's own answers stay theirs to see
    assert "7 / 7" not in html
    assert "Correct answer" not in html
    assert "Why</dt>" not in html
    assert "no longer served" in html
    assert student.get("/banks/every-type/quizzes/all").status_code == 404


def test_a_quiz_that_draws_by_tag_stores_the_questions_it_drew(app, student):
    path = start(student, "every-type", "review")
    questions = shown_questions(app, path)
    assert len(questions) == 3
    assert len({q["id"] for q in questions}) == 3
    assert student.get(path).get_data(as_text=True).count("<fieldset") == 3


def test_a_broken_bank_is_not_served_and_does_not_take_the_others_down(student, make_bank):
    make_bank("broken", "title: Broken\nquestions: [oops\n")
    home = student.get("/")
    assert home.status_code == 200
    assert "Every type" in home.get_data(as_text=True)
    assert "Broken" not in home.get_data(as_text=True)
    assert student.get("/banks/broken/quizzes/anything").status_code == 404


def test_pages_for_unknown_banks_and_quizzes_are_404(student):
    assert student.get("/banks/nope/quizzes/all").status_code == 404
    assert student.get("/banks/every-type/quizzes/nope").status_code == 404
    assert student.get("/banks/..%2f..%2fetc/quizzes/all").status_code == 404
    assert student.get("/attempts/999").status_code == 404


def test_quiz_pages_need_a_login(client):
    response = client.get("/banks/every-type/quizzes/all")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_output_is_escaped(app, student, make_bank):
    make_bank(
        "xss",
        """
        title: "<script>alert(1)</script>"
        questions:
          - {id: q, type: single, prompt: "<img src=x onerror=alert(1)>", choices: ["<b>a</b>", b], answer: b}
        quizzes:
          - {id: z, title: "<i>quiz</i>", questions: [q]}
        """,
    )
    assert "<script>alert(1)</script>" not in student.get("/").get_data(as_text=True)
    page = student.get(start(student, "xss", "z")).get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;b&gt;a&lt;/b&gt;" in page


def test_answers_can_wait_until_the_last_attempt(app, student, banks_dir):
    text = (
        (DATA / "every-type.yaml")
        .read_text()
        .replace("    attempts: 2\n", "    attempts: 2\n    answers: after-last-attempt\n")
    )
    (banks_dir / "every-type.yaml").write_text(text)
    first = start(student, "every-type", "all")
    submit(student, first, answer_form(shown_questions(app, first), right=False))
    page = student.get(first).get_data(as_text=True)
    assert "They show after the last attempt or after the window closes." in page
    assert ">Wrong<" in page
    for marker in ("EXPLANATION-", "FEEDBACK-", "<dt>Correct answer", "Zyxwvuts"):
        assert marker not in page

    second = start(student, "every-type", "all")
    submit(student, second, {})
    for path in (first, second):
        page = student.get(path).get_data(as_text=True)
        assert "EXPLANATION-SINGLE" in page
        assert "<dt>Correct answer" in page


def test_an_attempt_number_too_large_for_the_database_is_404(student):
    assert student.get("/attempts/99999999999999999999").status_code == 404
    token = csrf_token(student.get("/").get_data(as_text=True))
    assert student.post("/attempts/99999999999999999999", data={"csrf_token": token}).status_code == 404


def test_a_question_removed_from_the_bank_still_shows_on_past_results(app, student, banks_dir):
    path = start(student, "every-type", "all")
    submit(student, path, answer_form(shown_questions(app, path)))
    text = (DATA / "every-type.yaml").read_text()
    start_at = text.index("  - id: text-q")
    end_at = text.index("  - id: numeric-q")
    text = (text[:start_at] + text[end_at:]).replace("tf-q, text-q, numeric-q", "tf-q, numeric-q")
    (banks_dir / "every-type.yaml").write_text(text)
    quiz_page = student.get("/banks/every-type/quizzes/all").get_data(as_text=True)
    assert "<dt>Questions</dt><dd>6</dd>" in quiz_page  # the edited bank is the one served
    page = student.get(path).get_data(as_text=True)
    assert "Name the city." in page
    assert "EXPLANATION-TEXT" in page
    assert stored_attempts(app)[0].score == 7
