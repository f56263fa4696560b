"""The floor under live games: a bare Flask-SocketIO app that speaks the live events of quizapp
(namespace "/live": join, host_join, host_next, answer; question, answers, closed, result or ranks,
reveal) with the whole game in memory and nothing else: no database, no login, no grading beyond
"choice 0 is right". ``bench/live.py --app bare`` drives it exactly as it drives quizapp.

One game, PIN 000000, played by whoever joins. ``LIVE_BARE_RESULTS`` chooses how the players learn
their result when a question closes: ``personal`` (one ``result`` emit to each player's room, the
default) or ``ranks`` (one broadcast of every player's rank and score, each phone picking its own).
``LIVE_BARE_PLAYERS_EVERY`` sends the host the whole list of players at every Nth join (default 1,
every join: what it costs is in docs/performance.md; quizapp sends only the player who joined).
One process only: the game lives in its memory.

    .venv/bin/gunicorn -c gunicorn.conf.py bench.live_bare_app:app   # what bench/live.py --app bare starts
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from flask import Flask
from flask_socketio import SocketIO, emit, join_room

NS = "/live"
PIN = "000000"
GAME = 1
QUESTIONS = 10
SECONDS = 60

app = Flask(__name__)
socketio = SocketIO(app, cors_allowed_origins="*")


@dataclass
class Player:
    id: int
    nickname: str
    score: int = 0
    streak: int = 0
    answers: dict[int, tuple[int, int]] = field(default_factory=dict)  # position -> (choice, points)


@dataclass
class Game:
    state: str = "lobby"
    position: int = -1
    version: int = 0
    opened: float = 0.0
    players: dict[int, Player] = field(default_factory=dict)
    answered: dict[int, int] = field(default_factory=dict)  # position -> answers received


game = Game()
RESULTS = os.environ.get("LIVE_BARE_RESULTS", "personal")
PLAYERS_EVERY = int(os.environ.get("LIVE_BARE_PLAYERS_EVERY", "1"))


def question_payload() -> dict:
    return {
        "position": game.position,
        "total": QUESTIONS,
        "type": "single",
        "prompt": f"Question {game.position + 1}: which of these is the right answer?",
        "choices": ["Choice A, the right one", "Choice B", "Choice C", "Choice D"],
        "seconds": SECONDS,
        "closes_at": time.time() + SECONDS,
        "server_time": time.time(),
    }


def ranking() -> dict[int, tuple[int, int]]:
    ordered = sorted(game.players.values(), key=lambda p: -p.score)
    return {p.id: (rank, p.score) for rank, p in enumerate(ordered, 1)}


@socketio.on("host_join", namespace=NS)
def host_join(data: dict) -> dict:
    join_room(f"host:{GAME}")
    return {"ok": True, "view": {"state": game.state, "version": game.version}}


@socketio.on("join", namespace=NS)
def join(data: dict) -> dict:
    player = Player(len(game.players) + 1, str(data.get("nickname", ""))[:20])
    game.players[player.id] = player
    join_room(f"game:{GAME}")
    join_room(f"player:{player.id}")
    if len(game.players) % PLAYERS_EVERY == 0:
        players = [{"id": p.id, "nickname": p.nickname} for p in game.players.values()]
        emit("players", {"players": players, "count": len(players)}, to=f"host:{GAME}")
    return {"ok": True, "token": str(player.id), "view": {"state": game.state, "score": 0}}


@socketio.on("host_next", namespace=NS)
def host_next(data: dict) -> dict:
    if data.get("version") != game.version:
        return {"ok": False, "error": "stale"}
    game.version += 1
    if game.state in ("lobby", "reveal") and game.position + 1 < QUESTIONS:
        game.state, game.position, game.opened = "question", game.position + 1, time.monotonic()
        payload = question_payload()
        emit("question", payload, to=f"game:{GAME}")
        emit("question", payload, to=f"host:{GAME}")
    elif game.state == "question":
        game.state = "reveal"
        emit("closed", {"position": game.position}, to=f"game:{GAME}")
        ranks = ranking()
        if RESULTS == "ranks":
            emit("ranks", {"position": game.position, "ranks": ranks}, to=f"game:{GAME}")
        else:
            for player in game.players.values():
                _, points = player.answers.get(game.position, (-1, 0))
                rank, score = ranks[player.id]
                result = {
                    "position": game.position,
                    "outcome": "correct" if points else "wrong",
                    "points": points,
                    "score": score,
                    "rank": rank,
                    "streak": player.streak,
                }
                emit("result", result, to=f"player:{player.id}")
        top = sorted(game.players.values(), key=lambda p: -p.score)[:5]
        emit("reveal", {"top": [(p.nickname, p.score) for p in top]}, to=f"host:{GAME}")
    else:
        game.state = "podium"
    return {"ok": True, "version": game.version}


@socketio.on("answer", namespace=NS)
def answer(data: dict) -> dict:
    player = game.players.get(int(data.get("token", 0)))
    if player is None:
        return {"ok": False, "error": "unknown player"}
    if game.state != "question" or data.get("position") != game.position:
        return {"ok": False, "error": "late"}
    if game.position in player.answers:
        return {"ok": False, "error": "already answered"}
    right = data.get("answer") == 0
    elapsed = time.monotonic() - game.opened
    points = round((1 - elapsed / SECONDS / 2) * 1000) if right else 0
    player.answers[game.position] = (data.get("answer"), points)
    player.score += points
    player.streak = player.streak + 1 if right else 0
    game.answered[game.position] = game.answered.get(game.position, 0) + 1
    count = {"position": game.position, "answered": game.answered[game.position], "total": len(game.players)}
    emit("answers", count, to=f"host:{GAME}")
    return {"ok": True, "received": True}
