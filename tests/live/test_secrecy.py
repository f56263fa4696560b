"""No key before its question closes: what goes to phones and to the projector while a question is
open holds none of the key's values, for every type live mode plays; once it closes, it does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quizapp import clock
from quizapp.live import operations as live
from quizapp.questions import QUESTION_TYPES, from_snapshot

#: Fields of a snapshot that give the answer away, or say what the author wrote about it.
SECRET_FIELDS = {"answer", "explanation", "feedback_by_choice", "tolerance", "source", "id", "correct"}


def secrets_of(snapshot: dict[str, Any]) -> list[str]:
    """The texts of a question's key that nothing shown before it closes may hold: its id, its
    explanation and feedback (every-type.yaml marks them), and its answers when they are not among
    the choices shown (a typed answer, a number)."""
    found = [snapshot["id"], snapshot["explanation"], *snapshot.get("feedback_by_choice", {}).values()]
    if snapshot["type"] == "text":
        found += snapshot["answer"]
    if snapshot["type"] == "numeric":
        found += [str(snapshot["answer"]), "98765"]
    return found


def keys_in(value: Any) -> set[str]:
    """Every key of every object in a JSON-able value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def test_every_type_live_mode_plays_is_one_public_question_can_show():
    # A type added to LIVE_TYPES must be taught to public_question (and to read_answer) first.
    assert set(live.LIVE_TYPES) <= set(QUESTION_TYPES)
    assert set(live.LIVE_TYPES) == {"single", "multi", "true_false", "text", "numeric"}


@pytest.mark.parametrize("position", range(5))
def test_nothing_sent_while_a_question_is_open_holds_its_key(host, bank, stopped, position):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    ada = live.join(game, None, "Ada", clock.now())
    game = live.advance(game, game.version, clock.now())
    for _ in range(position):
        game = live.advance(game, game.version, clock.now())  # its reveal
        game = live.advance(game, game.version, clock.now())  # the next question
    snapshot = game.questions[position]
    live.answer(
        ada,
        position,
        {"single": 0, "multi": [0], "true_false": True, "numeric": 5}.get(snapshot["type"], "x"),
        clock.now(),
    )

    sent = {
        "question": live.question_payload(game),
        "player": live.player_view(game, ada),
        "host": live.host_view(game),
    }

    for who, payload in sent.items():
        dumped = json.dumps(payload, ensure_ascii=False)
        for secret in secrets_of(snapshot):
            assert secret not in dumped, f"{who} holds {secret!r}"
    for question in (sent["question"], sent["player"]["question"], sent["host"]["question"]):
        assert not keys_in(question) & SECRET_FIELDS
    assert sent["player"]["answered"] is True  # it says they answered, never how well
    assert "result" not in sent["player"]
    question = sent["question"]
    if "choices" in question:
        # exactly the choices in the order shown: nothing marks the right ones
        shown = snapshot.get("choices", ["True", "False"])
        assert question["choices"] == shown


@pytest.mark.parametrize("position", range(5))
def test_once_the_question_closes_the_key_and_the_explanation_are_sent(host, bank, stopped, position):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    ada = live.join(game, None, "Ada", clock.now())
    game = live.advance(game, game.version, clock.now())
    for _ in range(position):
        game = live.advance(game, game.version, clock.now())  # its reveal
        game = live.advance(game, game.version, clock.now())  # the next question
    game = live.advance(game, game.version, clock.now())
    answer_text = from_snapshot(game.questions[position]).answer_text()

    assert live.player_view(game, ada)["answer"] == answer_text
    reveal = live.host_view(game)["reveal"]
    assert reveal["answer"] == answer_text
    assert reveal["explanation"] == game.questions[position]["explanation"]


def test_the_host_screen_shows_the_split_of_answers_the_key_its_citation_and_the_top_five(
    host, bank, stopped
):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    players = [live.join(game, None, name, clock.now()) for name in ("Ada", "Bob", "Cy", "Dee", "Eve", "Fay")]
    game = live.advance(game, game.version, clock.now())
    for player, pick in zip(players[:4], [0, 0, 1, 3], strict=True):
        live.answer(player, 0, pick, clock.now())
    stopped.tick(25)
    live.answer(players[4], 0, 0, clock.now())  # late
    game = live.advance(game, game.version, clock.now())

    view = live.host_view(game)

    assert view["reveal"]["distribution"] == [
        {"label": "Astana", "count": 2, "correct": True},
        {"label": "Bishkek", "count": 1, "correct": False},
        {"label": "Dushanbe", "count": 0, "correct": False},
        {"label": "Yerevan", "count": 1, "correct": False},
    ]
    assert view["reveal"]["outcomes"] == {"correct": 2, "partial": 0, "wrong": 2, "late": 1, "none": 1}
    assert view["reveal"]["source"] == {
        "text": "Paragraph 1",
        "title": "Test source",
        "citations": [{"label": "¶1", "url": ""}],
    }
    assert [row["nickname"] for row in view["top"]] == ["Ada", "Bob", "Cy", "Dee", "Eve"]


def test_a_player_sees_their_outcome_points_score_place_and_streak_once_the_question_closes(
    host, bank, stopped
):
    game = live.create_game(host, bank, bank.quizzes["all"], None, {}, None)
    ada, bob = live.join(game, None, "Ada", clock.now()), live.join(game, None, "Bob", clock.now())
    game = live.advance(game, game.version, clock.now())
    stopped.tick(10)
    live.answer(ada, 0, 1, clock.now())
    live.answer(bob, 0, 0, clock.now())
    assert live.player_view(game, bob)["score"] == 0  # while open: the score before this question
    game = live.advance(game, game.version, clock.now())

    assert live.player_view(game, bob)["result"] == {
        "outcome": "correct",
        "points": 750,
        "score": 750,
        "rank": 1,
        "streak": 1,
    }
    ada_view = live.player_view(game, ada)
    assert ada_view["result"] == {"outcome": "wrong", "points": 0, "score": 0, "rank": 2, "streak": 0}
    assert (ada_view["your_answer"], ada_view["answer"]) == ("Bishkek", "Astana")
