"""The study pages through the test client, CSRF protection on: overview, one card at a time,
rating it, and who may rate what."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import CardReview, CardState, utcnow
from tests.factories import csrf_token, register

FRONT = "Pick the capital of Kazakhstan."
RATING_BUTTON = re.compile(
    r'<button type="submit" name="rating" value="(\d)"[^>]*data-key="(\d)">\s*'
    r'<span class="label">(\w+)</span> <span class="hint">([^<]+)</span> <kbd>(\d)</kbd>'
)


def reveal(client: FlaskClient, scope: str = "every-type") -> str:
    """Open a deck and follow its "Show answer" link; the revealed page's HTML."""
    page = client.get(f"/study/{scope}").get_data(as_text=True)
    link = re.search(r'<a class="button primary" id="reveal" href="([^"]+)">Show answer</a>', page)
    assert link, "the card page has no Show answer link"
    return client.get(html.unescape(link.group(1))).get_data(as_text=True)


def rating_form(page: str) -> dict[str, str]:
    """The hidden fields of a revealed card's rating form."""
    return {
        "csrf_token": csrf_token(page),
        "card": re.search(r'name="card" value="(\d+)"', page).group(1),
        "reps": re.search(r'name="reps" value="(\d+)"', page).group(1),
    }


def rate(client: FlaskClient, form: dict[str, str], rating: object, scope: str = "every-type"):
    return client.post(f"/study/{scope}/review", data={**form, "rating": rating})


def reviews(app) -> list[CardReview]:
    with app.app_context():
        return list(db.session.scalars(select(CardReview).order_by(CardReview.id)))


def state_reps(app, state_id: int) -> int:
    with app.app_context():
        return db.session.get(CardState, state_id).reps


def test_the_overview_shows_due_counts_progress_and_the_calendar(app, student):
    page = reveal(student)
    rate(student, rating_form(page), 1)  # single-q: Again, due in a minute
    student.get("/study/every-type")  # multi-q joins the queue, due now

    overview = student.get("/study/")
    assert overview.status_code == 200
    page = overview.get_data(as_text=True)
    assert "1 due now · 7 cards" in page
    assert "<dt>Due now</dt><dd>1</dd>" in page
    assert "<dt>Due today</dt><dd>2</dd>" in page
    assert "<dt>Reviewed today</dt><dd>1</dd>" in page
    assert "<dt>Streak</dt><dd>1 day</dd>" in page
    assert "Study every due card (1)" in page
    assert re.search(r'<svg [^>]*role="img"', page)
    assert f"<title>{utcnow().date().isoformat()}: 1 review</title>" in page
    assert 'href="/study/every-type/anki.apkg"' in page


def test_a_deck_page_shows_the_front_and_a_show_answer_link_but_not_the_answer(app, student):
    response = student.get("/study/every-type")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert FRONT in page
    with app.app_context():
        state_id = db.session.scalar(select(CardState.id))
    assert f'href="/study/every-type?show={state_id}">Show answer</a>' in page
    for hidden in ("Astana", "EXPLANATION-SINGLE", "Paragraph 1", 'name="rating"'):
        assert hidden not in page


def test_the_revealed_card_names_every_paragraph_a_question_cites(app, student, make_bank):
    make_bank(
        "cited",
        """\
        title: Cited
        source: {title: The article, paragraphs: 5}
        questions:
          - {id: q, type: true_false, prompt: Cited twice?, answer: true, source: [header, 2, 5]}
        """,
    )
    page = reveal(student, "cited")
    assert "The header and paragraphs 2 and 5 of <cite>The article</cite>" in page


def test_a_show_link_for_another_card_reveals_nothing(app, student):
    student.get("/study/every-type")
    with app.app_context():
        state_id = db.session.scalar(select(CardState.id))

    page = student.get(f"/study/every-type?show={state_id + 1}").get_data(as_text=True)

    assert FRONT in page
    assert "Astana" not in page
    assert "Show answer" in page


def test_the_revealed_card_shows_answer_explanation_citation_and_four_rating_buttons(app, student):
    page = reveal(student)

    assert FRONT in page
    assert '<p class="answer">Astana</p>' in page
    assert "EXPLANATION-SINGLE" in page
    assert "Paragraph 1 of <cite>Test source</cite>" in page
    assert "Show answer" not in page
    buttons = RATING_BUTTON.findall(page)
    # A new card: Again repeats step 1 (1 min), Hard waits between the steps, Good goes to step 2
    # (10 min), Easy graduates it at once.
    assert buttons == [
        ("1", "1", "Again", "1m", "1"),
        ("2", "2", "Hard", "6m", "2"),
        ("3", "3", "Good", "10m", "3"),
        ("4", "4", "Easy", "8d", "4"),
    ]


def test_rating_a_card_redirects_to_the_next_card(app, student):
    page = reveal(student)
    form = rating_form(page)

    response = rate(student, form, 3)

    assert response.status_code == 302
    assert response.headers["Location"] == "/study/every-type"
    following = student.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pick the members." in following
    assert FRONT not in following
    [logged] = reviews(app)
    assert (logged.card_state_id, logged.rating) == (int(form["card"]), 3)
    assert state_reps(app, int(form["card"])) == 1


def test_a_replayed_rating_says_already_rated_and_records_nothing_more(app, student):
    form = rating_form(reveal(student))
    assert rate(student, form, 3).status_code == 302

    replay = rate(student, form, 1)

    assert replay.status_code == 302
    page = student.get(replay.headers["Location"]).get_data(as_text=True)
    assert "already rated" in page
    assert [r.rating for r in reviews(app)] == [3]
    assert state_reps(app, int(form["card"])) == 1


@pytest.mark.parametrize("rating", ["0", "5", "good", "", "3.5"])
def test_a_bad_rating_value_is_refused_with_a_message_and_records_nothing(app, student, rating):
    form = rating_form(reveal(student))

    response = rate(student, form, rating)

    assert response.status_code == 302
    page = student.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose Again, Hard, Good or Easy." in page
    assert reviews(app) == []
    assert state_reps(app, int(form["card"])) == 0


def test_a_rating_without_its_card_is_refused_with_a_message(app, student):
    form = rating_form(reveal(student))
    del form["card"]

    page = student.get(rate(student, form, 3).headers["Location"]).get_data(as_text=True)

    assert "Choose Again, Hard, Good or Easy." in page
    assert reviews(app) == []


@pytest.mark.parametrize("missing", ["rating", "reps"])
def test_a_rating_form_without_its_button_or_review_count_is_refused_with_a_message(app, student, missing):
    form = {**rating_form(reveal(student)), "rating": "3"}
    del form[missing]

    response = student.post("/study/every-type/review", data=form)

    page = student.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose Again, Hard, Good or Easy." in page
    assert reviews(app) == []


def test_a_rating_without_the_csrf_token_is_refused(app, student):
    form = rating_form(reveal(student))
    del form["csrf_token"]

    assert rate(student, form, 3).status_code == 400
    assert reviews(app) == []


def test_the_due_deck_gathers_cards_from_every_bank(app, student, make_bank):
    make_bank(
        "extra",
        """\
        title: Extra
        questions:
          - {id: e1, type: true_false, prompt: An extra statement., answer: true}
        """,
    )
    student.get("/study/every-type")  # single-q, due now
    student.get("/study/extra")  # e1, due now

    seen = []
    for _ in range(2):
        page = reveal(student, "due")
        assert "every due card" in page
        seen.append(re.search(r'<h1 id="front" class="front">([^<]+)</h1>', page).group(1))
        response = rate(student, rating_form(page), 4, scope="due")
        assert response.headers["Location"] == "/study/due"

    assert seen == [FRONT, "An extra statement."]
    with app.app_context():
        rated = db.session.scalars(select(CardState.bank_slug).where(CardState.reps == 1))
        assert sorted(rated) == ["every-type", "extra"]


def test_the_deck_says_all_done_when_nothing_is_due_and_no_new_card_is_left(app, student):
    app.config["NEW_CARDS_PER_DAY"] = 1
    rate(student, rating_form(reveal(student)), 4)

    page = student.get("/study/every-type").get_data(as_text=True)

    assert "All done for now" in page
    assert "Show answer" not in page


def test_an_unknown_bank_is_not_found(app, student):
    token = csrf_token(reveal(student))
    assert student.get("/study/no-such-bank").status_code == 404
    assert student.get("/study/no-such-bank/anki.apkg").status_code == 404
    assert student.get("/study/due/anki.apkg").status_code == 404
    response = student.post(
        "/study/no-such-bank/review", data={"csrf_token": token, "card": "1", "reps": "0", "rating": "3"}
    )
    assert response.status_code == 404
    assert reviews(app) == []


@pytest.mark.parametrize(
    "path", ["/study/", "/study/every-type", "/study/due", "/study/every-type/anki.apkg"]
)
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_another_learners_card_in_the_form_records_nothing(app, student):
    bob = app.test_client()
    assert register(bob, "bob").status_code == 302
    bobs_card = rating_form(reveal(bob))["card"]
    form = rating_form(reveal(student))
    assert form["card"] != bobs_card

    response = rate(student, {**form, "card": bobs_card}, 4)

    assert response.status_code == 302
    assert "already rated" in student.get(response.headers["Location"]).get_data(as_text=True)
    assert reviews(app) == []
    assert state_reps(app, int(bobs_card)) == 0
    assert state_reps(app, int(form["card"])) == 0


def test_the_card_page_has_a_live_status_and_loads_the_study_script(app, student):
    front = student.get("/study/every-type").get_data(as_text=True)
    revealed = reveal(student)

    status = re.compile(r'<div id="study-status"[^>]*aria-live="polite">([^<]*)</div>')
    assert status.search(front).group(1) == "New card."
    assert status.search(revealed).group(1) == "Answer shown. Rate it with 1 to 4."
    for page in (front, revealed):
        assert re.search(r'<script src="/static/study\.js[^"]*" defer></script>', page)
    assert 'id="flashcard" tabindex="-1"' in front


def test_a_card_number_too_large_for_the_database_is_refused_with_a_message(student):
    page = student.get("/study/every-type").get_data(as_text=True)
    response = student.post(
        "/study/every-type/review",
        data={"csrf_token": csrf_token(page), "card": "9" * 30, "reps": "0", "rating": "3"},
    )
    assert response.status_code == 302
    assert "Choose Again, Hard, Good or Easy" in student.get(response.headers["Location"]).get_data(
        as_text=True
    )
