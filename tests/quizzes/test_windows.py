"""A quiz's window in plain sight: wherever a quiz set for a class is listed or started, the page
says when it opens, is due or closed, with how soon or how long ago; where no attempt can start
there is no Start button but the reason, and the server refuses the start all the same. The home
page lists each setting of a quiz once: open ones soonest due first, then upcoming, then closed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp import clock
from quizapp.extensions import db
from quizapp.models import Attempt
from tests.factories import (
    QUIZ_PAGE,
    clean,
    csrf_token,
    flashed_after,
    make_class,
    make_instructor,
    register,
    text,
)

START = f'action="{QUIZ_PAGE}/start"'


@pytest.fixture
def now(monkeypatch) -> datetime:
    """The site's clock, stopped at the start of the test's minute."""
    stopped = datetime.now(UTC).replace(second=0, microsecond=0)
    monkeypatch.setattr(clock, "host_now", lambda: stopped)
    return stopped


@pytest.fixture
def ada(app, client):
    """ada, signed in, and prof, who teaches classes she is in."""
    register(client, "ada")
    make_instructor(app, "prof")
    return client


def shown(moment: datetime, now: datetime) -> str:
    year = "" if moment.year == now.year else f" {moment.year}"
    return f"{moment:%a} {moment.day} {moment:%b}{year} {moment:%H:%M}"


def setting_card(page: str) -> str:
    """The quiz page's card for its (only) class setting."""
    return page.split('id="setting-', 1)[1].split("</section>", 1)[0]


def assigned(page: str) -> str:
    """The home page's "Set for your classes" list."""
    return page.split('id="assigned"', 1)[1].split("</section>", 1)[0]


def attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt))


def refused_start(client) -> str:
    """POST a start as a page without a Start button could (the token from the page); the page
    the learner is sent back to."""
    token = csrf_token(text(client.get(QUIZ_PAGE)))
    response = client.post(f"{QUIZ_PAGE}/start", data={"csrf_token": token})
    assert response.headers["Location"] == QUIZ_PAGE
    return flashed_after(client, response)


def test_a_quiz_not_open_yet_shows_when_it_opens_and_no_start_button_and_refuses_a_start(app, ada, now):
    opens = now + timedelta(days=2, hours=3)
    make_class(app, "History", "prof", ["ada"], opens=opens, closes=opens + timedelta(days=1))

    page = text(ada.get(QUIZ_PAGE))

    card = setting_card(page)
    assert f"Opens {shown(opens, now)} (in 2 days)" in clean(card)
    assert f'<time datetime="{opens.isoformat()}"' in card
    assert START not in page
    assert f"This quiz opens for History on {shown(opens, now)} (in 2 days)." in clean(card)
    assert f"Opens {shown(opens, now)} (in 2 days)" in clean(assigned(text(ada.get("/"))))
    assert "due-upcoming" in assigned(text(ada.get("/")))
    after = refused_start(ada)
    assert f"This quiz opens for History on {shown(opens, now)} (in 2 days)." in after
    assert attempts(app) == 0


def test_an_open_quiz_shows_its_due_date_and_a_start_button(app, ada, now):
    closes = now + timedelta(days=5, hours=1)
    make_class(app, "History", "prof", ["ada"], opens=now - timedelta(days=1), closes=closes)

    page = text(ada.get(QUIZ_PAGE))

    assert f"Due {shown(closes, now)} (in 5 days)" in clean(setting_card(page))
    assert START in page
    assert "Start attempt" in setting_card(page)
    home = assigned(text(ada.get("/")))
    assert f"Due {shown(closes, now)} (in 5 days)" in clean(home)
    assert "due-soon" not in home
    response = ada.post(f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(page)})
    assert response.headers["Location"].startswith("/attempts/")
    assert attempts(app) == 1


def test_a_quiz_due_within_a_day_says_in_how_many_hours_and_is_marked_due_soon(app, ada, now):
    closes = now + timedelta(hours=23, minutes=30)
    make_class(app, "History", "prof", ["ada"], closes=closes)

    page = text(ada.get(QUIZ_PAGE))

    assert f"Due {shown(closes, now)} (in 23 h)" in clean(setting_card(page))
    assert "due-soon" in setting_card(page)
    assert START in page
    home = assigned(text(ada.get("/")))
    assert f"Due {shown(closes, now)} (in 23 h)" in clean(home)
    assert "due-soon" in home


def test_a_closed_quiz_shows_when_it_closed_and_no_start_button_and_refuses_a_start(app, ada, now):
    closes = now - timedelta(hours=3)
    make_class(app, "History", "prof", ["ada"], opens=closes - timedelta(days=7), closes=closes)

    page = text(ada.get(QUIZ_PAGE))

    card = clean(setting_card(page))
    assert f"Closed {shown(closes, now)} (3 h ago)" in card
    assert START not in page
    assert (
        f"This quiz closed for History on {shown(closes, now)} (3 h ago); answers are no longer accepted."
        in card
    )
    assert f"Closed {shown(closes, now)} (3 h ago)" in clean(assigned(text(ada.get("/"))))
    assert "answers are no longer accepted" in refused_start(ada)
    assert attempts(app) == 0


def test_a_quiz_whose_attempts_are_used_up_gives_that_reason_instead_of_a_start_button(app, ada, now):
    make_class(app, "History", "prof", ["ada"], closes=now + timedelta(days=3))
    for _ in range(2):  # every-type/all allows 2 attempts
        start = ada.post(f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(text(ada.get(QUIZ_PAGE)))})
        path = start.headers["Location"]
        ada.post(path, data={"csrf_token": csrf_token(text(ada.get(path)))})

    page = text(ada.get(QUIZ_PAGE))

    assert START not in page
    assert "You have used all 2 attempts at this quiz." in clean(setting_card(page))
    assert "You have used all 2 attempts at this quiz." in refused_start(ada)
    assert attempts(app) == 2


def test_the_home_page_lists_each_setting_once_open_by_due_date_then_upcoming_then_closed(app, ada, now):
    day = timedelta(days=1)
    # (Each name's first 8 letters are its class's join code in make_class: all different.)
    make_class(app, "Long closed", "prof", ["ada"], closes=now - 9 * day)
    make_class(app, "Recently closed", "prof", ["ada"], closes=now - day)
    make_class(app, "Late opening", "prof", ["ada"], opens=now + 5 * day)
    make_class(app, "Soon opening", "prof", ["ada"], opens=now + 2 * day)
    make_class(app, "No deadline", "prof", ["ada"])
    make_class(app, "Later due", "prof", ["ada"], closes=now + 4 * day)
    make_class(app, "Soonest due", "prof", ["ada"], closes=now + day)

    home = text(ada.get("/"))

    classes = re.findall(r'<span class="meta">([^<]+)</span>', assigned(home))
    assert classes == [
        "Soonest due",
        "Later due",
        "No deadline",
        "Soon opening",
        "Late opening",
        "Recently closed",
        "Long closed",
    ]
    # Set for her classes, the quiz is no practice for her: the bank's list leaves it out.
    bank = home.split('id="bank-every-type"', 1)[1].split("</section>", 1)[0]
    assert f'href="{QUIZ_PAGE}"' not in bank
    assert 'href="/banks/every-type/quizzes/review"' in bank
    assert home.count(f'href="{QUIZ_PAGE}"') == 7


def test_a_quiz_practised_besides_a_class_is_listed_once_for_the_class_and_once_as_practice(
    app, ada, now, banks_dir
):
    path = banks_dir / "every-type.yaml"
    path.write_text(path.read_text().replace("    attempts: 2\n", "    attempts: 2\n    practice: always\n"))
    make_class(app, "History", "prof", ["ada"], closes=now + timedelta(days=1, hours=1))

    home = text(ada.get("/"))

    assert home.count(f'href="{QUIZ_PAGE}"') == 2
    bank = clean(home.split('id="bank-every-type"', 1)[1].split("</section>", 1)[0])
    assert "Every type 7 questions, as practice" in bank


def test_a_quiz_only_taken_when_a_class_sets_it_says_so_in_the_bank_list(app, ada, banks_dir):
    path = banks_dir / "every-type.yaml"
    path.write_text(path.read_text().replace("    attempts: 2\n", "    attempts: 2\n    practice: never\n"))

    bank = clean(text(ada.get("/")).split('id="bank-every-type"', 1)[1].split("</section>", 1)[0])

    assert "Every type 7 questions, taken only when a class sets it" in bank
