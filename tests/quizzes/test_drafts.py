"""Answers are never lost: drafts saved on the server as the learner goes (page by page without
JavaScript, by autosave with it), restored on every way back, graded at the deadline; pages, a
navigator with flags, and a summary before the final submit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from quizapp.extensions import db
from quizapp.models import Attempt, Response, utcnow
from tests.factories import csrf_token, login, logout, register, start

PAGED = """
title: Paged
questions:
  - {id: a, type: text, prompt: First?, answer: alpha}
  - {id: b, type: text, prompt: Second?, answer: bravo}
  - {id: c, type: numeric, prompt: Third?, answer: 3}
  - {id: d, type: single, prompt: Fourth?, choices: [delta, echo], answer: delta}
  - {id: e, type: text, prompt: Fifth?, answer: echo}
quizzes:
  - {id: p, title: Paged quiz, questions: [a, b, c, d, e], per_page: 2, attempts: 3}
  - {id: t, title: Timed quiz, questions: [a, b], time_limit: 20m}
"""


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def paged(make_bank, student):
    make_bank("paged", PAGED)
    return student


def fields_of(page: str) -> dict[str, str]:
    """The hidden fields of the quiz form (csrf_token, positions, page)."""
    return dict(re.findall(r'<input type="hidden" name="(csrf_token|positions|page)" value="([^"]*)"', page))


def save_page(client, path: str, answers: dict[str, str], go: str, page: int = 1):
    form = fields_of(client.get(f"{path}?page={page}").get_data(as_text=True))
    return client.post(f"{path}/save", data={**form, **answers, "go": go})


def drafts(app) -> dict[int, dict | None]:
    with app.app_context():
        return {r.position: r.draft for r in db.session.scalars(select(Response).order_by(Response.position))}


def the_attempt(app) -> Attempt:
    with app.app_context():
        return db.session.scalar(select(Attempt))


def test_a_long_quiz_is_shown_page_by_page_with_a_navigator(app, paged):
    path = start(paged, "paged", "p")
    page = text(paged.get(path))
    assert "page 1 of 3" in page
    assert "First?" in page
    assert "Second?" in page
    assert "Third?" not in page
    assert page.count('name="go" value="q') == 5  # a navigator button for every question
    assert "Next page" in page
    assert "Finish attempt" not in page
    last = text(paged.get(f"{path}?page=3"))
    assert "Fifth?" in last
    assert "Finish attempt" in last
    assert "Previous page" in last


def test_moving_between_pages_saves_the_answers_and_they_come_back(app, paged):
    path = start(paged, "paged", "p")
    response = save_page(paged, path, {"q0": "alpha", "q1": "my second"}, go="page-2")
    assert response.headers["Location"] == f"{path}?page=2"

    assert drafts(app)[0] == {"q0": ["alpha"]}
    back = paged.get(f"{path}?page=1").get_data(as_text=True)
    assert 'value="alpha"' in back
    assert 'value="my second"' in back
    navigator = back.split('class="navigator', 1)[1].split("</nav>", 1)[0]
    assert len(re.findall(r'class="nav-q answered[^"]*" data-nav', navigator)) == 2


def test_clearing_an_answer_on_a_page_is_saved_too(app, paged):
    path = start(paged, "paged", "p")
    save_page(paged, path, {"q0": "alpha"}, go="page-1")
    save_page(paged, path, {"q0": ""}, go="page-1")
    assert drafts(app)[0] is None


def test_the_navigator_jumps_to_a_questions_page_and_flags_are_kept(app, paged):
    path = start(paged, "paged", "p")
    response = save_page(paged, path, {"q1": "bravo", "flag-q1": "1"}, go="q4")
    assert response.headers["Location"] == f"{path}?page=3#q4"
    page = paged.get(f"{path}?page=1").get_data(as_text=True)
    assert re.search(r'name="flag-q1" value="1" checked', page)
    assert "nav-q answered flagged" in page


@pytest.mark.parametrize("go", ["", "elsewhere", "page-", "q"])
def test_a_save_with_no_button_it_knows_saves_and_comes_back_to_the_page_posted(app, paged, go):
    path = start(paged, "paged", "p")
    response = save_page(paged, path, {"q2": "charlie"}, go=go, page=2)
    assert response.headers["Location"] == f"{path}?page=2"
    assert drafts(app)[2] == {"q2": ["charlie"]}


def test_save_and_finish_later_keeps_the_answers_for_continue_your_attempt(app, paged):
    path = start(paged, "paged", "p")
    response = save_page(paged, path, {"q0": "typed before leaving"}, go="later")
    assert response.headers["Location"] == "/banks/paged/quizzes/p"
    quiz_page = text(paged.get("/banks/paged/quizzes/p"))
    assert "Your answers are saved" in quiz_page
    assert "Continue your attempt" in quiz_page

    resumed = start(paged, "paged", "p")

    assert resumed == path
    assert 'value="typed before leaving"' in paged.get(resumed).get_data(as_text=True)


def test_answers_survive_logout_and_login(app, paged):
    path = start(paged, "paged", "p")
    save_page(paged, path, {"q0": "still here"}, go="later")
    logout(paged)
    login(paged, "ada")
    assert 'value="still here"' in paged.get(path).get_data(as_text=True)


def test_the_summary_lists_unanswered_and_flagged_questions_before_the_submit(app, paged):
    path = start(paged, "paged", "p")
    save_page(paged, path, {"q0": "alpha", "q1": "bravo", "flag-q1": "1"}, go="summary")
    summary = text(paged.get(f"{path}/summary"))
    assert "3 questions not answered" in summary
    assert "1 flagged for review" in summary
    assert summary.count("Not answered") == 3
    assert "Submit all and finish" in summary

    response = paged.post(path, data={"csrf_token": csrf_token(summary)})

    assert response.status_code == 302
    result = text(paged.get(path))
    assert "You scored <strong>2 / 5</strong>" in result
    assert "2 right" in result
    assert "3 not answered" in result
    assert "time taken" in result


def test_an_answer_that_cannot_be_graded_sends_the_learner_to_its_page_and_keeps_everything(app, paged):
    path = start(paged, "paged", "p")
    save_page(paged, path, {"q0": "alpha"}, go="page-2")
    save_page(paged, path, {"q2": "three-ish"}, go="summary", page=2)
    summary = paged.get(f"{path}/summary").get_data(as_text=True)

    response = paged.post(path, data={"csrf_token": csrf_token(summary)})

    assert response.status_code == 422
    page = text(response)
    assert "Third?" in page
    assert 'value="three-ish"' in page
    assert the_attempt(app).submitted_at is None
    assert drafts(app)[0] == {"q0": ["alpha"]}


def test_the_autosave_answers_with_the_new_draft_version(app, paged):
    path = start(paged, "paged", "p")
    form = fields_of(paged.get(path).get_data(as_text=True))

    first = paged.post(f"{path}/draft", data={**form, "q0": "a"})
    second = paged.post(f"{path}/draft", data={**form, "q0": "al"})

    assert first.status_code == 200
    assert (first.json["version"], second.json["version"]) == (1, 2)
    assert drafts(app)[0] == {"q0": ["al"]}
    assert 'data-draft-version="2"' in paged.get(path).get_data(as_text=True)


def test_a_save_arriving_after_the_submit_changes_nothing(app, paged):
    path = start(paged, "paged", "p")
    form = fields_of(paged.get(path).get_data(as_text=True))
    paged.post(path, data={**form, "q0": "alpha"})

    late = paged.post(f"{path}/draft", data={**form, "q0": "changed after"})

    assert late.status_code == 409
    assert late.json["state"] == "submitted"
    with app.app_context():
        first = db.session.scalar(select(Response).where(Response.position == 0))
        assert (first.answer, first.draft) == ("alpha", {"q0": ["alpha"]})


def test_a_draft_save_without_a_session_says_so_in_json_and_saves_nothing(app, paged, client):
    path = start(paged, "paged", "p")
    form = fields_of(paged.get(path).get_data(as_text=True))
    logout(paged)

    response = paged.post(f"{path}/draft", data={**form, "q0": "typed after logout"})

    assert response.status_code == 401
    assert response.json["state"] == "session-ended"
    assert response.json["login_url"] == f"/login?next={path}"
    assert drafts(app)[0] is None


def test_a_form_sent_after_the_session_ended_says_the_answers_are_saved(app, paged):
    path = start(paged, "paged", "p")
    form = fields_of(paged.get(path).get_data(as_text=True))
    logout(paged)

    response = paged.post(f"{path}/save", data={**form, "q0": "late", "go": "page-2"})

    page = text(response)
    assert response.status_code == 401
    assert "Your session ended; your answers are saved" in page
    assert "Form expired" not in page
    assert f'href="/login?next={path}"' in page


def test_login_after_the_session_ended_returns_to_the_attempt(app, paged):
    path = start(paged, "paged", "p")
    logout(paged)
    bounced = paged.get(f"{path}?page=2")
    assert bounced.status_code == 302
    login_page = bounced.headers["Location"]
    assert login_page.startswith("/login?next=")

    page = paged.get(login_page).get_data(as_text=True)
    response = paged.post(
        login_page, data={"csrf_token": csrf_token(page), "username": "ada", "password": "a long password"}
    )

    assert response.headers["Location"] == f"{path}?page=2"


def test_a_learners_drafts_are_theirs_alone(app, paged, client):
    path = start(paged, "paged", "p")
    form = fields_of(paged.get(path).get_data(as_text=True))
    logout(paged)

    register(paged, "eve")
    token = csrf_token(paged.get("/").get_data(as_text=True))
    assert paged.post(f"{path}/draft", data={**form, "csrf_token": token, "q0": "x"}).status_code == 404
    assert paged.post(f"{path}/save", data={**form, "csrf_token": token, "q0": "x"}).status_code == 404
    assert paged.get(f"{path}/summary").status_code == 404


# --- time limits -----------------------------------------------------------------------------


def test_a_timed_attempt_shows_its_deadline_and_the_server_owns_it(app, paged):
    before = utcnow()
    path = start(paged, "paged", "t")
    attempt = the_attempt(app)
    assert timedelta(minutes=20) <= attempt.deadline - before < timedelta(minutes=21)
    page = text(paged.get(path))
    assert "Time left: <strong" in page
    assert "20 minutes" in page
    assert "graded automatically at" in page


def move_deadline(app, when) -> None:
    with app.app_context():
        db.session.execute(update(Attempt).values(deadline=when))
        db.session.commit()


def test_at_the_deadline_the_saved_answers_are_graded_automatically(app, paged):
    path = start(paged, "paged", "t")
    save_page(paged, path, {"q0": "alpha", "q1": "wrong"}, go="later")
    move_deadline(app, utcnow() - timedelta(seconds=1))

    response = paged.get(path)

    assert response.status_code == 302
    result = text(paged.get(path))
    assert "submitted automatically" in result
    attempt = the_attempt(app)
    assert attempt.auto_submitted
    assert attempt.score == 1


def test_an_answer_sent_within_the_grace_counts_and_one_sent_later_does_not(app, paged):
    path = start(paged, "paged", "t")
    form = fields_of(paged.get(path).get_data(as_text=True))
    move_deadline(app, utcnow() - timedelta(seconds=5))
    assert paged.post(f"{path}/draft", data={**form, "q0": "alpha"}).status_code == 200

    move_deadline(app, utcnow() - timedelta(minutes=5))
    late = paged.post(f"{path}/draft", data={**form, "q1": "bravo"})

    assert late.status_code == 409
    assert late.json["state"] == "time-up"
    assert drafts(app)[1] is None


def test_an_abandoned_timed_attempt_is_graded_when_next_looked_at(app, paged):
    start(paged, "paged", "t")
    move_deadline(app, utcnow() - timedelta(hours=1))
    assert "in progress" not in text(paged.get("/history"))
    assert the_attempt(app).auto_submitted


def test_the_cli_closes_every_overdue_attempt(app, paged):
    path = start(paged, "paged", "t")
    save_page(paged, path, {"q0": "alpha"}, go="later")
    move_deadline(app, utcnow() - timedelta(hours=1))

    result = app.test_cli_runner().invoke(args=["attempts", "close-overdue"])

    assert result.exit_code == 0
    assert "1 overdue attempt graded" in result.output
    assert the_attempt(app).score == 1
    again = app.test_cli_runner().invoke(args=["attempts", "close-overdue"])
    assert "0 overdue attempts graded" in again.output


def test_a_bad_time_limit_is_reported_with_its_line(app, make_bank):
    from quizapp.banks import BankError, load_bank

    path = make_bank(
        "slow",
        """
        title: Slow
        questions:
          - {id: a, type: text, prompt: A?, answer: a}
        quizzes:
          - {id: q, title: Q, questions: [a], time_limit: soon}
        """,
    )
    with pytest.raises(
        BankError, match=r"slow.yaml:6: the time limit of quiz 'q' must be a duration such as 20m"
    ):
        load_bank(path)


def test_a_login_link_followed_while_logged_in_again_leads_back_to_the_attempt(app, paged):
    path = start(paged, "paged", "p")
    response = paged.get(f"/login?next={path}%3Fpage%3D2")
    assert response.headers["Location"] == f"{path}?page=2"
    assert paged.get("/login?next=https://evil.example/").headers["Location"] == "/"


def test_the_session_ended_page_leads_back_to_the_page_the_learner_was_on(app, paged):
    path = start(paged, "paged", "p")
    form = fields_of(paged.get(f"{path}?page=2").get_data(as_text=True))
    logout(paged)
    response = paged.post(f"{path}/draft", data={**form, "q2": "3"})
    assert response.json["login_url"] == f"/login?next={path}?page%3D2"
