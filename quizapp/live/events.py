"""Live games in real time: the Socket.IO events of the host's screen and the players' phones
(namespace ``/live``), the timers that close a question when its time is up, and the sweeper that
picks up games left open by a restart.

The database holds every game's state and the operations (quizapp.live.operations) hold its
rules; this module only carries them. A client sends an event with an acknowledgement, answered
``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``:

- ``host_join`` {game}: the Flask-Login session must be the game's host -> {view: host view}
- ``host_next`` {game, version}, ``host_end`` {game, version}, ``host_kick`` {game, player}
- ``join`` {pin, nickname?} -> {token, view: player view}; ``rejoin`` {token} -> {view}
- ``answer`` {token, position, answer} -> {received: true}

and receives, in the rooms ``host:<game>`` (host screens), ``game:<game>`` (every player) and
``player:<player>`` (one player's phones):

- host: ``players`` {players: the ones who joined, kicked: ids, count}; ``answers`` {position,
  answered, total} (while answers arrive, every ``COUNT_SECONDS`` at most; and as the question
  closes); ``reveal`` (the host view once a question closed); ``state`` {view}
- everyone: ``question`` (the open question, without its key), ``closed`` {position},
  ``podium`` {top, summary}, ``finished`` {}
- one player: ``result`` {position, outcome, points, score, rank, streak}; ``kicked`` {}
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request, session
from flask_login import current_user
from flask_socketio import SocketIO, join_room
from sqlalchemy import select

from quizapp import clock
from quizapp.extensions import db, live_socketio, this_app
from quizapp.live import operations as live
from quizapp.models import LiveAnswer, LiveGame, LivePlayer

NAMESPACE = "/live"
#: With auto-advance on, the reveal stays on screen this long before the next question opens.
AUTO_NEXT_SECONDS = 8
#: How often the sweeper looks for games left untouched for LIVE_ABANDONED_HOURS, in seconds.
ABANDONED_CHECK_SECONDS = 60
#: While answers arrive, a game's host hears their count this often at most (per process): an
#: answer costs no count of its own, and a thousand phones answering send the host five counts a
#: second instead of a thousand.
COUNT_SECONDS = 0.2

Ack = dict[str, Any]
log = logging.getLogger(__name__)
#: Guards each app's set of games whose count is waiting to be sent (``count_soon``).
_counting = threading.Lock()


def init_app(app: Flask) -> SocketIO:
    """Give ``app`` its Socket.IO server for live games, on the message queue LIVE_MESSAGE_QUEUE
    when one is set (several processes), with the events below."""
    socketio = SocketIO(
        app,
        async_mode=async_mode(),
        message_queue=app.config["LIVE_MESSAGE_QUEUE"],
        # The channel of this site's games on a Redis that may serve others too.
        channel="quizapp-live",
        # Each connection keeps its own copy of the login session it began with: the rate limits
        # below count in it, and nothing an event does is written into the browser's cookie.
        manage_session=True,
        # A phone that sleeps stops answering pings; it is dropped after 25 + 20 s and rejoins with
        # its token when it wakes.
        ping_interval=25,
        ping_timeout=20,
        # Pages of this site only (``same_site``): another site's page cannot drive a host's game
        # with the host's cookie.
        cors_allowed_origins=same_site if app.config["LIVE_SOCKET_PORT"] else None,
    )
    for name, handler in HANDLERS.items():
        socketio.on_event(name, handler, namespace=NAMESPACE)
    socketio.on_error(NAMESPACE)(_failed)
    app.extensions["quizapp.live.sweeper"] = False
    app.logger.debug("live games: Socket.IO on %s", socketio.async_mode)
    return socketio


def same_site(origin: str | None, environ: dict[str, Any]) -> bool:
    """Whether a connection from a page at ``origin`` may open: a page of this host, on any of its
    ports. With LIVE_SOCKET_PORT the pages come from another port of this host than the one that
    serves their connections; elsewhere Socket.IO's own rule applies, the same origin exactly.
    Browsers send a host's cookies to each of its ports alike, so a port is no boundary they keep;
    the host (as the browser asked for it, or as the trusted proxy saw it) is."""
    if not origin:
        return False
    page = urlsplit(origin)
    scheme = environ.get("HTTP_X_FORWARDED_PROTO", environ["wsgi.url_scheme"]).split(",")[0].strip()
    host = environ.get("HTTP_X_FORWARDED_HOST", environ.get("HTTP_HOST", "")).split(",")[0].strip()
    try:
        page.port  # noqa: B018 - raises ValueError for a port that is not a number
        return (
            page.scheme == scheme
            and page.hostname is not None
            and page.hostname == urlsplit(f"//{host}").hostname
        )
    except ValueError:
        return False


def async_mode() -> str:
    """How the Socket.IO server waits: on gevent's loop under gunicorn's gevent worker (which has
    patched the standard library before the app is made), on threads everywhere else (``make run``'s
    server, the tests). Left to guess, it would pick gevent wherever gevent is installed, and its
    timers would never run on an unpatched server."""
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


# Host events: the session's user must be the game's host, checked on every event.


def host_join(data: Any) -> Ack:
    """A host screen opens (or reopens) a game: it gets what to show now and the host's events."""
    game = _hosted(data)
    join_room(_host_room(game.id))
    return {"ok": True, "view": live.host_view(game)}


def host_next(data: Any) -> Ack:
    """The host moves the game on (lobby -> question -> reveal -> next question ... -> podium ->
    finished); ``version`` is the state the host saw, so a second tab or a double press moves it
    once."""
    game = _hosted(data)
    version = _integer(data, "version")
    game = live.advance(game, version, clock.now())
    announce(this_app(), game)
    return {"ok": True, "version": game.version, "state": game.state}


def host_end(data: Any) -> Ack:
    """The host ends the game before its last question: called off from the lobby, or on to the
    podium with the questions played so far (``live.end``); ``version`` as for ``host_next``."""
    game = _hosted(data)
    game = live.end(game, _integer(data, "version"), clock.now())
    announce(this_app(), game)
    return {"ok": True, "version": game.version, "state": game.state}


def host_kick(data: Any) -> Ack:
    """The host removes a player: their phone is told, and their token is refused from now on."""
    game = _hosted(data)
    player_id = _integer(data, "player")
    live.kick(game, player_id)
    socketio = live_socketio()
    room = _player_room(player_id)
    socketio.emit("kicked", {}, to=room, namespace=NAMESPACE)
    # Their connections to this process are closed; one held by another process hears "kicked"
    # (its page stops), and its token is refused there as here.
    for sid, _ in list(socketio.server.manager.get_participants(NAMESPACE, room)):
        socketio.server.disconnect(sid, namespace=NAMESPACE)
    socketio.emit(
        "players",
        {"players": [], "kicked": [player_id], "count": _playing(game)},
        to=_host_room(game.id),
        namespace=NAMESPACE,
    )
    return {"ok": True}


def _hosted(data: Any) -> LiveGame:
    if not current_user.is_authenticated:
        raise live.LiveRefused("Log in as this game's host to run it.")
    return live.host_game(current_user, _integer(data, "game"))


# Player events: a player is known by the signed token ``join`` gave their phone.


def join(data: Any) -> Ack:
    """A phone joins the game of a PIN: a class game as the logged-in student, an open one with a
    nickname. It gets a token to rejoin with, and what to show now."""
    _count("joins", "LIVE_JOINS_PER_MINUTE")
    pin = _text(data, "pin")
    game = live.game_by_pin(pin)
    if game is None:
        raise live.LiveRefused("No game has this PIN. Check it on the big screen.")
    user = current_user if current_user.is_authenticated else None
    nickname = data.get("nickname") if isinstance(data.get("nickname"), str) else None
    player = live.join(game, user, nickname, clock.now())
    token = live.player_token(player)
    _enter(game, player, token)
    view = live.player_view(game, player)
    live_socketio().emit(
        "players",
        {"players": [{"id": player.id, "nickname": player.nickname}], "kicked": [], "count": view["players"]},
        to=_host_room(game.id),
        namespace=NAMESPACE,
    )
    return {"ok": True, "token": token, "view": view}


def rejoin(data: Any) -> Ack:
    """A phone that slept or lost its connection comes back as the same player, with their score
    and the answer they gave."""
    _count("joins", "LIVE_JOINS_PER_MINUTE")
    token = _text(data, "token")
    player = _player(token)
    game = player.game
    _enter(game, player, token)
    return {"ok": True, "view": live.player_view(game, player)}


def answer(data: Any) -> Ack:
    """A player answers the open question. It is timed as it arrives: a late one is kept and
    scores nothing. The host sees the count within ``COUNT_SECONDS`` (``count_soon``); with
    auto-advance, the count that finds every player answered closes the question."""
    _count("answers", "LIVE_ANSWERS_PER_MINUTE")
    seat = _seat(_text(data, "token"))
    received = live.answer(seat, _integer(data, "position"), data.get("answer"), clock.now())
    if received.outcome == "late":
        return {"ok": False, "error": "late", "message": "Too late: time was up for this question."}
    count_soon(this_app(), seat.game_id)
    return {"ok": True, "received": True}


def _playing(game: LiveGame) -> int:
    """How many players the game has: a count, where ``players`` reads every row."""
    now = live.tally(game.id)
    return now.playing if now is not None else 0


def _seat(token: str) -> live.Seat:
    """Who answers: the player this connection joined as, its token checked then, when it sends
    that token again (``live.answer`` refuses them if kicked since); else whom the token names."""
    kept = session.get("live_seat")
    if kept is not None and kept[0] == token:
        return live.Seat(kept[1], kept[2])
    player = _player(token)
    _remember(player, token)
    return live.Seat(player.id, player.game_id)


def _player(token: str) -> LivePlayer:
    player = live.player_from_token(token)
    if player is None:
        raise live.LiveRefused("You are no longer in this game. Join again with the PIN.")
    return player


def _enter(game: LiveGame, player: LivePlayer, token: str) -> None:
    join_room(_game_room(game.id))
    join_room(_player_room(player.id))
    _remember(player, token)


def _remember(player: LivePlayer, token: str) -> None:
    """Keep in this connection's session whom its token names, so its answers need not read it."""
    session["live_seat"] = [token, player.id, player.game_id]


# What everyone sees when a game changes.


def announce(app: Flask, game: LiveGame) -> None:
    """Send everyone in ``game`` what its new state shows, and set the timer it needs."""
    socketio = live_socketio(app)
    everyone = [_game_room(game.id), _host_room(game.id)]
    if game.state == "question":
        socketio.emit("question", live.question_payload(game), to=everyone, namespace=NAMESPACE)
        if game.closes_at is not None:
            start_timer(app, close_when_due, game.closes_at)
    elif game.state == "reveal":
        # The closed question's final count, which a count still waiting (``count_soon``) no longer sends.
        final = live.tally(game.id)
        if final is not None and final.position == game.position:
            socketio.emit(
                "answers",
                {"position": final.position, "answered": final.answered, "total": final.playing},
                to=_host_room(game.id),
                namespace=NAMESPACE,
            )
        socketio.emit("closed", {"position": game.position}, to=everyone, namespace=NAMESPACE)
        socketio.emit("reveal", live.host_view(game), to=_host_room(game.id), namespace=NAMESPACE)
        for player_id, result in results(game).items():
            socketio.emit("result", result, to=_player_room(player_id), namespace=NAMESPACE)
        if game.settings.get("auto_advance"):
            start_timer(app, _advance_later(game.id, game.version), None)
    elif game.state == "podium":
        podium = {"top": live.leaderboard(game, 3), "summary": live.summary(game)}
        socketio.emit("podium", podium, to=everyone, namespace=NAMESPACE)
    elif game.state == "finished":
        socketio.emit("finished", {}, to=everyone, namespace=NAMESPACE)
        socketio.emit("state", {"view": live.host_view(game)}, to=_host_room(game.id), namespace=NAMESPACE)


def results(game: LiveGame) -> dict[int, dict[str, Any]]:
    """Each player's result of the question just closed, by player id, as their phone shows it:
    outcome ("none" when they sent nothing), points, score, place and streak. Three queries for the
    whole game, where ``player_view`` for each of a thousand players would make thousands."""
    standing = live.ranks(game)
    sent = {
        player_id: (outcome, points)
        for player_id, outcome, points in db.session.execute(
            select(LiveAnswer.player_id, LiveAnswer.outcome, LiveAnswer.points).where(
                LiveAnswer.game_id == game.id, LiveAnswer.position == game.position
            )
        )
    }
    streaks: dict[int, int] = {
        player_id: streak
        for player_id, streak in db.session.execute(
            select(LivePlayer.id, LivePlayer.streak).where(LivePlayer.game_id == game.id)
        )
    }
    out = {}
    for player_id, (rank, score) in standing.items():
        outcome, points = sent.get(player_id, (live.NO_ANSWER, 0))
        out[player_id] = {
            "position": game.position,
            "outcome": outcome,
            "points": points,
            "score": score,
            "rank": rank,
            "streak": streaks.get(player_id, 0),
        }
    return out


def count_soon(app: Flask, game_id: int) -> None:
    """Send the host of ``game_id`` its count of answers within ``COUNT_SECONDS``: one count (one
    query, one message) for every answer this process takes meanwhile, however many."""
    with _counting:
        waiting = app.extensions.setdefault("quizapp.live.counting", set())
        if game_id in waiting:
            return
        waiting.add(game_id)
    start_timer(app, count_later, game_id)


def count_later(app: Flask, game_id: int) -> None:
    """``count_soon``'s timer: wait, then count."""
    if pause(app, COUNT_SECONDS):
        count_now(app, game_id)


def count_now(app: Flask, game_id: int) -> None:
    """Send the host the count of answers to the open question, and with auto-advance close it
    once everyone answered. An answer taken from now on asks for a count of its own."""
    with _counting:
        app.extensions.setdefault("quizapp.live.counting", set()).discard(game_id)
    with app.app_context():
        now = live.tally(game_id)
        if now is None or now.state != "question":
            return  # closed meanwhile: its reveal sent the final count
        live_socketio(app).emit(
            "answers",
            {"position": now.position, "answered": now.answered, "total": now.playing},
            to=_host_room(game_id),
            namespace=NAMESPACE,
        )
        if now.auto_advance and now.all_answered:
            _advance_quietly(app, game_id, now.version)


def close_overdue(app: Flask) -> list[int]:
    """Close every open question whose time is up, and send what follows; the ids of the games
    closed here (another process may have closed the others)."""
    with app.app_context():
        closed = live.close_due(clock.now())
        _announce_each(app, closed)
        return closed


def _announce_each(app: Flask, game_ids: list[int]) -> None:
    """``announce`` each of these games' new state (inside an app context)."""
    for game_id in game_ids:
        game = db.session.get(LiveGame, game_id)
        if game is not None:
            announce(app, game)


def end_abandoned(app: Flask) -> list[int]:
    """End the games left untouched for LIVE_ABANDONED_HOURS (``live.end_abandoned``), and tell
    whoever is still connected; the ids of the games ended."""
    hours = app.config["LIVE_ABANDONED_HOURS"]
    if not hours:
        return []
    with app.app_context():
        ended = live.end_abandoned(clock.now(), hours)
        _announce_each(app, ended)
        if ended:
            app.logger.info("live games ended after %s idle hours: %s", hours, ended)
        return ended


def close_when_due(app: Flask, closes_at: datetime) -> None:
    """A question's timer: wait until it closes (by the site's clock), then close what is due."""
    with app.app_context():
        wait = (closes_at - clock.now()).total_seconds()
    if pause(app, max(wait, 0) + 0.05):
        close_overdue(app)


def _advance_later(game_id: int, version: int) -> Callable[[Flask, None], None]:
    def advance_later(app: Flask, _when: None) -> None:
        if pause(app, AUTO_NEXT_SECONDS):
            _advance_quietly(app, game_id, version)

    return advance_later


def _advance_quietly(app: Flask, game_id: int, version: int) -> None:
    """Move a game on from ``version``, as auto-advance does; nothing if someone moved it first."""
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        if game is None or game.version != version:
            return
        try:
            game = live.advance(game, version, clock.now())
        except live.LiveRefused:
            return  # the host, a timer or another process moved it first
        announce(app, game)


def start_timer(app: Flask, task: Callable[[Flask, Any], None], when: Any) -> None:
    """Run ``task(app, when)`` in the background: a greenlet under gevent, else a thread, which
    ``stop_timers`` ends."""
    _in_background(app, _logged(task), when)


def pause(app: Flask, seconds: float) -> bool:
    """Wait ``seconds`` in a timer (the library's wait: a greenlet's under gevent); False, and at
    once, if the app's timers are being stopped, when the timer must not go on."""
    return not _stopping(app).wait(seconds)


def stop_timers(app: Flask, seconds: float = 5) -> None:
    """End the app's timers and sweeper (an app being closed: a worker's exit, a test's end)
    within ``seconds``: each waiting wakes and returns without touching the database or its
    players, and one running finishes first. A timer started afterwards returns at once."""
    _stopping(app).set()
    for task in list(_background(app)):
        task.join(seconds)


def _stopping(app: Flask) -> Any:
    """The app's event that tells its timers to stop (a threading or gevent event)."""
    return app.extensions.setdefault("quizapp.live.stopping", live_socketio(app).server.eio.create_event())


def _in_background(app: Flask, task: Callable[[Flask, Any], None], when: Any) -> None:
    """Start ``task(app, when)`` as the library starts background work, where ``stop_timers``
    finds it."""
    _background(app).add(live_socketio(app).start_background_task(task, app, when))


def _background(app: Flask) -> weakref.WeakSet[Any]:
    """The app's timers and sweeper still running (a finished one drops out)."""
    running: weakref.WeakSet[Any] = app.extensions.setdefault("quizapp.live.background", weakref.WeakSet())
    return running


def _logged(task: Callable[[Flask, Any], None]) -> Callable[[Flask, Any], None]:
    def run(app: Flask, when: Any) -> None:
        try:
            task(app, when)
        except Exception:
            app.logger.exception("a live game's timer failed")

    return run


def start_sweeper(app: Flask) -> None:
    """Start, once per app, the loop that closes questions whose timer is gone (a restart mid-game:
    the game is in the database, and goes on from its current question)."""
    seconds = app.config["LIVE_SWEEP_SECONDS"]
    if not seconds or app.extensions.get("quizapp.live.sweeper"):
        return
    app.extensions["quizapp.live.sweeper"] = True

    def sweep(app: Flask, _when: None) -> None:
        looked = -float(ABANDONED_CHECK_SECONDS)
        while True:
            try:
                close_overdue(app)
                if time.monotonic() - looked >= ABANDONED_CHECK_SECONDS:
                    looked = time.monotonic()
                    end_abandoned(app)
            except Exception:
                app.logger.exception("closing overdue live questions failed")
            if not pause(app, seconds):
                return

    _in_background(app, sweep, None)


# The edge: connections, limits, input and refusals.


def connect(_auth: Any = None) -> bool:
    """Any browser may connect; each event checks who it comes from."""
    start_sweeper(this_app())
    return True


def _count(kind: str, setting: str) -> None:
    """Count one ``kind`` of event on this connection, refusing it past ``setting`` a minute."""
    moment = time.monotonic()
    key = f"live_{kind}"
    recent = [t for t in session.get(key, []) if moment - t < 60]
    if len(recent) >= this_app().config[setting]:
        raise live.LiveRefused("Too many tries in a short time. Wait a minute, then try again.")
    session[key] = [*recent, moment]


def _integer(data: Any, key: str) -> int:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise live.LiveRefused(f"This request lacks its {key}. Reload the page.")
    return value


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str):
        raise live.LiveRefused(f"This request lacks its {key}. Reload the page.")
    return value


def _failed(error: Exception) -> Ack:
    """An event refused (the reason, for the person), or failed (logged, and a plain message)."""
    if isinstance(error, live.LiveRefused):
        return {"ok": False, "error": str(error)}
    log.error("live event %s failed", request.event["message"], exc_info=error)  # type: ignore[attr-defined]
    return {"ok": False, "error": "Something went wrong on our side. Reload the page to go on."}


def _game_room(game_id: int) -> str:
    return f"game:{game_id}"


def _host_room(game_id: int) -> str:
    return f"host:{game_id}"


def _player_room(player_id: int) -> str:
    return f"player:{player_id}"


HANDLERS: dict[str, Callable[..., Any]] = {
    "connect": connect,
    "host_join": host_join,
    "host_next": host_next,
    "host_end": host_end,
    "host_kick": host_kick,
    "join": join,
    "rejoin": rejoin,
    "answer": answer,
}
