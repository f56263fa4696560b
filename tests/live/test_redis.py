"""Live games across processes: two apps, each served on a port of its own (as two server
processes would be), sharing a real redis-server as Socket.IO's message queue. A phone connected
to one gets the question that the host's screen, connected to the other, opened; and the host's
screen gets the count of the phone's answer."""

from __future__ import annotations

import asyncio

import aiohttp
import socketio

from quizapp.extensions import db
from quizapp.live import events
from quizapp.models import LiveGame
from tests.factories import login, run_async

NS = "/live"
#: The most a message may take to cross Redis here before the test gives up (not a measurement).
PATIENCE = 15
#: The events' own timers, before the live tests' fixtures hold them.
START_TIMER = events.start_timer


def test_a_question_opened_through_one_process_reaches_a_phone_connected_to_another(
    app, another_app, redis_url, make_game, serve, monkeypatch
):
    def start_timer(app, task, when) -> None:  # the question closes with the test; the count goes out
        if task is events.count_later:
            START_TIMER(app, task, when)

    monkeypatch.setattr(events, "start_timer", start_timer)
    settings = {"LIVE_MESSAGE_QUEUE": redis_url, "LIVE_SWEEP_SECONDS": 0}
    players_side, hosts_side = another_app(**settings), another_app(**settings)
    game_id = make_game()
    with app.app_context():
        game = db.session.get_one(LiveGame, game_id)
        pin, version = game.pin, game.version
    browser = hosts_side.test_client()
    assert login(browser, "prof").status_code == 302
    cookie = browser.get_cookie("session")
    assert cookie is not None
    players_url, hosts_url = serve(players_side), serve(hosts_side)

    async def play() -> tuple[dict, dict]:
        async with aiohttp.ClientSession() as http:
            return await play_on(http)

    async def play_on(http: aiohttp.ClientSession) -> tuple[dict, dict]:
        phone = socketio.AsyncClient(http_session=http)
        host = socketio.AsyncClient(http_session=http)
        question: asyncio.Future = asyncio.get_running_loop().create_future()
        counted: asyncio.Future = asyncio.get_running_loop().create_future()
        phone.on("question", lambda data: question.done() or question.set_result(data), namespace=NS)
        host.on("answers", lambda data: counted.done() or counted.set_result(data), namespace=NS)
        await phone.connect(players_url, namespaces=[NS], transports=["websocket"])
        await host.connect(
            hosts_url,
            namespaces=[NS],
            transports=["websocket"],
            headers={"Cookie": f"session={cookie.value}"},
        )
        try:
            joined = await phone.call("join", {"pin": pin, "nickname": "Aru"}, namespace=NS, timeout=PATIENCE)
            assert joined["ok"], joined
            assert (await host.call("host_join", {"game": game_id}, namespace=NS, timeout=PATIENCE))["ok"]
            moved = await host.call(
                "host_next", {"game": game_id, "version": version}, namespace=NS, timeout=PATIENCE
            )
            assert moved["ok"], moved
            shown = await asyncio.wait_for(question, PATIENCE)
            sent = {"token": joined["token"], "position": 0, "answer": 0}
            assert (await phone.call("answer", sent, namespace=NS, timeout=PATIENCE))["ok"]
            return shown, await asyncio.wait_for(counted, PATIENCE)
        finally:
            await phone.disconnect()
            await host.disconnect()

    shown, counted = run_async(play())
    assert shown["position"] == 0
    assert shown["prompt"]
    assert "answer" not in shown
    assert counted == {"position": 0, "answered": 1, "total": 1}
