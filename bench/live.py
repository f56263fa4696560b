"""Live games: 1,000 players on one game, over WebSockets on loopback, under gunicorn's gevent worker.

Starts the app as `make serve` does for live games (gunicorn -c gunicorn.live.conf.py: the gevent
worker on a port of its own; a temporary SQLite database made by `quizapp db upgrade`, the shipped
bank with a 10-question quiz of the played types added for the run), makes an instructor and an
open game, then opens the players with python-socketio's asyncio client (websocket transport),
spread over several client processes, and plays the game as its host does: players join in turn
(25 a second, as a room fills), "next" opens a question, every player answers after a random think
time (within 10 s), "next" closes it once every answer is acknowledged, and so on for every
question. It reports:

  join        all players connected and joined (the join acknowledged), and each one's join time
  fan-out     per question, the host's "next" to the question at each player (p50, p99, the last)
  count       an answer leaving a phone to the host's answer count including it
  leaderboard the host's "next" that closes a question to the player's result (rank, score) at
              each player
  lost        answers acknowledged but missing from the host's count or the database (must be 0),
              answers not acknowledged, and players the server dropped
  CPU         each client process's, the server's, and the load average, beside each figure

Targets (2 cores): every player joined, p99 fan-out under 250 ms, no answer lost. ``--redis`` runs
two gunicorn workers behind a redis-server started on loopback (``LIVE_MESSAGE_QUEUE``);
``--app bare`` runs the same game against bench/live_bare_app.py, a bare Flask-SocketIO app (the
floor). Bounded by ``--seconds``; exits 1 on a missed target, a lost answer or the time cap. The
figures and what moves them are in docs/performance.md, "Live games".

    .venv/bin/python bench/live.py                       # quizapp, one process
    .venv/bin/python bench/live.py --redis               # quizapp, two processes and Redis
    .venv/bin/python bench/live.py --app bare --results ranks --join-rate 0
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import queue
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import browser_session, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NS = "/live"
USER_AGENT = "quizapp-live-bench"
SECRET_KEY = "live-benchmark"  # noqa: S105 - signs the sessions of a throwaway database
BANK = "csto-2022"
BENCH_QUIZ = "live-bench"
#: The question types a live game plays (ordering and matching are left out).
PLAYED_TYPES = ("single", "multi", "true_false", "numeric", "text")

FANOUT_P99_TARGET_MS = 250.0
TROUBLE = re.compile(r"CRITICAL|ERROR|WARNING|WORKER TIMEOUT|Traceback|Exception")


# -- measuring ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def ticks(pid: int) -> int:
    """CPU ticks (user + system) a process has used, from /proc; 0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def family(pid: int) -> list[int]:
    """A process and its children (a gunicorn master and its workers)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [pid, *map(int, found.stdout.split())]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


class Meter:
    """CPU use of the client processes and the server over one phase, as a share of one core."""

    HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, clients: list[int], server: int):
        self.clients, self.server = clients, family(server)
        self.began = time.monotonic()
        self.start = [ticks(p) for p in self.clients], sum(ticks(p) for p in self.server)

    def stop(self) -> tuple[list[float], float, float]:
        wall = time.monotonic() - self.began
        clients = [(ticks(p) - t) / self.HZ / wall for p, t in zip(self.clients, self.start[0], strict=True)]
        server = (sum(ticks(p) for p in self.server) - self.start[1]) / self.HZ / wall
        return clients, server, wall


# -- the players: one asyncio process holds a share of them ---------------------------------------


def raw_answer(question: dict, rng: random.Random) -> Any:
    """What a phone sends for a question of each type: a random pick, so answers split."""
    kind, choices = question.get("type"), question.get("choices") or []
    if kind == "single":
        return rng.randrange(len(choices))
    if kind == "multi":
        return sorted(rng.sample(range(len(choices)), min(2, len(choices))))
    if kind == "true_false":
        return rng.random() < 0.5
    if kind == "numeric":
        return str(rng.choice((1992, 2002, 2010, 2022)))
    return rng.choice(("Moscow", "Tokayev", "Armenia"))


@dataclass
class PlayerRecords:
    """What one client process saw, sent back to the coordinator at the end."""

    joined: int = 0
    join_errors: list[str] = field(default_factory=list)
    join_seconds: list[float] = field(default_factory=list)
    #: position -> arrival times (time.monotonic, the same clock in every process on Linux)
    question: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    result: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: position -> (time sent, time acknowledged, acknowledged ok, the error if not)
    answers: dict[int, list[tuple[float, float, bool, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: connections lost before the end, and why ("server disconnect": the server closed it, as
    #: it does when a pong comes later than ping_timeout; "transport error": the connection broke)
    disconnects: int = 0
    drop_reasons: dict[str, int] = field(default_factory=dict)


async def run_players(
    share: list[int], url: str, pin: str, think: float, join_rate: float, control, out, index: int
) -> PlayerRecords:
    import socketio

    rng = random.Random(index)
    records = PlayerRecords()
    # engine.io's client logs each connection it loses ("packet queue is empty"); the reasons are
    # counted instead, from the disconnect event.
    quiet = logging.getLogger(f"bench.live.engineio.{index}")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    clients: list[socketio.AsyncClient] = []
    counts: dict[tuple[str, int], int] = defaultdict(int)
    pending: set[asyncio.Task] = set()
    connecting = asyncio.Semaphore(64)
    stopping: list[bool] = []
    told: set[tuple[str, int]] = set()

    def seen(kind: str, position: int) -> None:
        counts[kind, position] += 1
        tell(kind, position)

    def tell(kind: str, position: int) -> None:
        """Tell the coordinator once every player of this process still connected has seen
        ``kind``, with (for answers) how many were acknowledged."""
        if (kind, position) not in told and counts[kind, position] >= records.joined - records.disconnects:
            told.add((kind, position))
            acknowledged = sum(ok for _, _, ok, _ in records.answers.get(position, []))
            out.put((index, kind, position, acknowledged))

    async def player(number: int) -> None:
        sio = socketio.AsyncClient(reconnection=False, request_timeout=60, engineio_logger=quiet)
        me: dict[str, Any] = {"token": None, "position": -1}

        async def answer(question: dict) -> None:
            await asyncio.sleep(rng.uniform(0, think))
            payload = {
                "token": me["token"],
                "position": question["position"],
                "answer": raw_answer(question, rng),
            }
            sent = time.monotonic()
            try:
                ack = await sio.call("answer", payload, namespace=NS, timeout=60)
                ok, error = bool(ack and ack.get("ok")), "" if ack and ack.get("ok") else str(ack)
            except Exception as exc:  # a timeout or a dropped connection: never acknowledged
                ok, error = False, repr(exc)
            records.answers[question["position"]].append((sent, time.monotonic(), ok, error))
            seen("answered", question["position"])

        @sio.on("question", namespace=NS)
        async def on_question(question: dict) -> None:
            records.question[question["position"]].append(time.monotonic())
            me["position"] = question["position"]
            seen("question", question["position"])
            task = asyncio.create_task(answer(question))
            pending.add(task)
            task.add_done_callback(pending.discard)

        async def on_result(_: dict) -> None:
            records.result[me["position"]].append(time.monotonic())
            seen("result", me["position"])

        sio.on("result", on_result, namespace=NS)
        sio.on("ranks", on_result, namespace=NS)

        @sio.on("disconnect", namespace=NS)
        async def on_disconnect(reason: str = "unknown") -> None:
            if not stopping and me["token"]:
                records.disconnects += 1
                records.drop_reasons[reason] = records.drop_reasons.get(reason, 0) + 1
                for kind, position in list(counts):
                    tell(kind, position)

        if join_rate:
            await asyncio.sleep(number / join_rate)
        began = time.monotonic()
        try:
            async with connecting:
                await sio.connect(
                    url,
                    namespaces=[NS],
                    transports=["websocket"],
                    headers={"User-Agent": USER_AGENT},
                    wait_timeout=60,
                )
                ack = await sio.call("join", {"pin": pin, "nickname": f"Player {number:04d}"}, NS, timeout=60)
        except Exception as exc:
            records.join_errors.append(repr(exc))
            return
        if not (ack and ack.get("ok")):
            records.join_errors.append(str(ack))
            return
        me["token"] = ack.get("token")
        records.join_seconds.append(time.monotonic() - began)
        records.joined += 1
        clients.append(sio)

    loop = asyncio.get_running_loop()
    out.put((index, "ready", -1, 0))
    await loop.run_in_executor(None, control.recv)  # "join"
    await asyncio.gather(*(player(n) for n in share))
    out.put((index, "joined", -1, records.joined))
    await loop.run_in_executor(None, control.recv)  # "stop"
    stopping.append(True)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    return records


def players_process(share, url, pin, think, join_rate, control, out, index) -> None:
    """A client process: its share of the players, until the coordinator says stop."""
    records = asyncio.run(run_players(share, url, pin, think, join_rate, control, out, index))
    records.question, records.result, records.answers = (
        dict(records.question),
        dict(records.result),
        dict(records.answers),
    )
    out.put((index, "records", -1, records))


# -- the host and the game ----------------------------------------------------------------------


@dataclass
class Target:
    """A server to play against: where it listens, its game, and how the host's browser signs in."""

    url: str
    game_id: int
    pin: str
    questions: int
    master: int
    cookie: str = ""
    stored_answers: Any = None  # a function returning how many answers the database holds


@dataclass
class Phase:
    clients: list[float]
    server: float
    wall: float
    load: str


@dataclass
class QuestionRun:
    position: int
    fanout: list[float] = field(default_factory=list)
    counts: list[float] = field(default_factory=list)
    leaderboard: list[float] = field(default_factory=list)
    #: CPU from "next" to the last player's result
    cpu: Phase | None = None
    counted: int = 0
    opened: float = 0.0
    closed: float = 0.0


class Coordinator:
    """The host's browser, and the conductor of the client processes."""

    def __init__(self, target: Target, args, pids: list[int], controls, out):
        self.target, self.args, self.pids, self.controls, self.out = target, args, pids, controls, out
        self.inbox: list[tuple] = []
        self.host_counts: dict[int, list[tuple[float, int]]] = defaultdict(list)
        self.version = 0
        self.problems: list[str] = []

    async def wait_for(self, kind: str, position: int, timeout: float) -> list[int]:
        """Wait until every client process reports ``kind`` for ``position``; their reported values."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        reported: dict[int, int] = {}
        while True:
            for message in [m for m in self.inbox if m[1] == kind and m[2] == position]:
                reported[message[0]] = message[3]
                self.inbox.remove(message)
            left = deadline - time.monotonic()
            if len(reported) == len(self.pids) or left <= 0:
                return list(reported.values())
            try:
                self.inbox.append(await loop.run_in_executor(None, self.out.get, True, min(left, 1.0)))
            except queue.Empty:
                continue

    async def play(self) -> tuple[Phase, list[QuestionRun], list[PlayerRecords]]:
        import socketio

        self.host = socketio.AsyncClient(reconnection=False, request_timeout=60)

        @self.host.on("answers", namespace=NS)
        async def on_answers(count: dict) -> None:
            self.host_counts[count["position"]].append((time.monotonic(), count["answered"]))

        headers = {"User-Agent": USER_AGENT}
        if self.target.cookie:
            headers["Cookie"] = self.target.cookie
        await self.host.connect(
            self.target.url, namespaces=[NS], transports=["websocket"], headers=headers, wait_timeout=30
        )
        ack = await self.host.call("host_join", {"game": self.target.game_id}, NS, timeout=60)
        if not (ack and ack.get("ok")):
            raise SystemExit(f"host_join refused: {ack}")
        self.version = (ack.get("view") or {}).get("version", 0)
        print(f"host joined game {self.target.game_id} (PIN {self.target.pin}); players joining", flush=True)

        if len(await self.wait_for("ready", -1, 60)) < len(self.pids):
            raise SystemExit("the client processes did not start")
        meter = Meter(self.pids, self.target.master)
        for control in self.controls:
            control.send("join")
        joined = await self.wait_for("joined", -1, self.args.seconds)
        joining = Phase(*meter.stop(), loadavg())
        print(f"joined: {sum(joined)} players in {joining.wall:.1f} s", flush=True)
        if len(joined) < len(self.pids):
            self.problems.append(f"only {len(joined)} of {len(self.pids)} client processes finished joining")

        runs = []
        for position in range(self.target.questions):
            run = QuestionRun(position)
            meter = Meter(self.pids, self.target.master)
            opened = await self.next()
            seen = await self.wait_for("question", position, 30)
            all_seen = time.monotonic() - opened
            acknowledged = await self.wait_for("answered", position, self.args.think + 120)
            all_answered = time.monotonic() - opened
            await self.settle(position, sum(acknowledged))
            if len(seen) < len(self.pids) or len(acknowledged) < len(self.pids):
                self.problems.append(f"question {position + 1}: not every player saw it or answered")
            closed = await self.next()
            if len(await self.wait_for("result", position, 60)) < len(self.pids):
                self.problems.append(f"question {position + 1}: not every player had a result")
            all_results = time.monotonic() - closed
            run.cpu = Phase(*meter.stop(), loadavg())
            print(
                f"question {position + 1}: at every player {all_seen:.2f} s after next, {sum(acknowledged)}"
                f" answers acknowledged by {all_answered:.1f} s, every result {all_results:.2f} s after"
                f" the close; load {loadavg()}",
                flush=True,
            )
            run.opened, run.closed = opened, closed
            runs.append(run)
        await self.next()  # to the podium
        await self.host.disconnect()

        for control in self.controls:
            control.send("stop")
        records: list[PlayerRecords] = []
        loop = asyncio.get_running_loop()
        while len(records) < len(self.pids):
            message = await loop.run_in_executor(None, self.out.get, True, 60)
            if message[1] == "records":
                records.append(message[3])
        for run in runs:
            run.fanout = [t - run.opened for r in records for t in r.question.get(run.position, [])]
            run.leaderboard = [t - run.closed for r in records for t in r.result.get(run.position, [])]
            run.counts = self.count_delays(run.position, records)
            run.counted = max((n for _, n in self.host_counts.get(run.position, [])), default=0)
        return joining, runs, records

    async def next(self) -> float:
        """The host presses "next"; the time it was pressed."""
        pressed = time.monotonic()
        payload = {"game": self.target.game_id, "version": self.version}
        ack = await self.host.call("host_next", payload, NS, timeout=60)
        if not (ack and ack.get("ok")):
            self.problems.append(f"host_next refused: {ack}")
        elif "version" in ack:
            self.version = ack["version"]
        else:
            self.version = (ack.get("view") or {}).get("version", self.version + 1)
        return pressed

    async def settle(self, position: int, acknowledged: int) -> None:
        """Wait (up to 5 s) for the host's answer count to reach the answers acknowledged."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if max((n for _, n in self.host_counts.get(position, [])), default=0) >= acknowledged:
                return
            await asyncio.sleep(0.05)

    def count_delays(self, position: int, records: list[PlayerRecords]) -> list[float]:
        """For the i-th answer sent (acknowledged ones, in the order sent), the time until the
        host's count first reached i."""
        sent = sorted(t for r in records for t, _, ok, _ in r.answers.get(position, []) if ok)
        firsts: list[tuple[int, float]] = []  # (count, when the host first saw it), rising
        for when, n in sorted(self.host_counts.get(position, [])):
            if not firsts or n > firsts[-1][0]:
                firsts.append((n, when))
        delays, j = [], 0
        for i, when in enumerate(sent, 1):
            while j < len(firsts) and firsts[j][0] < i:
                j += 1
            if j < len(firsts):
                delays.append(firsts[j][1] - when)
        return delays


# -- servers -----------------------------------------------------------------------------------


def start_gunicorn(app_uri: str | None, env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    """gunicorn with gunicorn.live.conf.py (the gevent worker, WORKER_CONNECTIONS), as `make serve`
    starts it for live games' connections, on ``port``; ready once Socket.IO answers."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.live.conf.py")]
    if app_uri:
        command.append(app_uri)
    server = subprocess.Popen(
        command,
        env={**env, "HOST": "127.0.0.1", "LIVE_PORT": str(port), "LIVE_WORKERS": str(workers)},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    probe = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    time.sleep(2)  # every worker builds its app on its own
                    return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn did not start, or serves no Socket.IO; see {log}:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server of our own on a free loopback port, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("--redis needs redis-server (Debian: apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=(tmp / "redis.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise SystemExit("redis-server did not start")


def bare_target(args, tmp: Path, stack: list) -> Target:
    """bench/live_bare_app.py on gunicorn's gevent worker: the floor under quizapp's figures."""
    port = free_port()
    env = {
        **os.environ,
        "LIVE_BARE_RESULTS": args.results,
        "LIVE_BARE_PLAYERS_EVERY": str(args.players_every),
    }
    server = start_gunicorn("bench.live_bare_app:app", env, port, 1, tmp / "gunicorn.log")
    stack.append(server)
    return Target(f"http://127.0.0.1:{port}", 1, "000000", 10, server.pid)


def bench_bank(banks: Path, count: int) -> None:
    """The shipped bank, in a folder of the run's own, with a quiz of ``count`` questions that a live
    game plays, taking each type in turn."""
    import yaml

    from quizapp.banks import load_bank

    source = ROOT / "questions" / f"{BANK}.yaml"
    by_type: dict[str, list[str]] = defaultdict(list)
    for question in load_bank(source).questions.values():
        if question.type in PLAYED_TYPES:
            by_type[question.type].append(question.id)
    picked: list[str] = []
    while len(picked) < count and any(by_type.values()):
        for ids in by_type.values():
            if ids and len(picked) < count:
                picked.append(ids.pop(0))
    data = yaml.safe_load(source.read_text())
    data["quizzes"].append(
        {
            "id": BENCH_QUIZ,
            "title": "Live benchmark",
            "questions": picked,
            "shuffle": False,
            "attempts": "unlimited",
        }
    )
    (banks / f"{BANK}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def quizapp_target(args, tmp: Path, stack: list) -> Target:
    """quizapp as `make serve` runs it, on a new SQLite database, with an instructor's open game."""
    from quizapp import create_app
    from quizapp.extensions import bank_registry, db
    from quizapp.live import operations as live
    from quizapp.models import User

    banks = tmp / "questions"
    banks.mkdir()
    bench_bank(banks, args.questions)
    database = tmp / "live.sqlite3"
    env = {
        **os.environ,
        "QUIZAPP_DATABASE_URL": f"sqlite:///{database}",
        "QUIZAPP_BANKS_DIR": str(banks),
        "QUIZAPP_SECRET_KEY": SECRET_KEY,
    }
    workers = 1
    if args.redis:
        redis, env["QUIZAPP_LIVE_MESSAGE_QUEUE"] = start_redis(tmp)
        stack.append(redis)
        workers = 2
    quizapp = str(Path(sys.executable).parent / "quizapp")
    subprocess.run([quizapp, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["QUIZAPP_DATABASE_URL"],
            "BANKS_DIR": str(banks),
            "SECRET_KEY": SECRET_KEY,
            "LIVE_MESSAGE_QUEUE": env.get("QUIZAPP_LIVE_MESSAGE_QUEUE"),
        }
    )
    with app.app_context():
        host = User(username="prof", display_name="Prof", password_hash="-", role="instructor")
        db.session.add(host)
        db.session.commit()
        bank = bank_registry().get(BANK)
        assert bank is not None
        settings = {
            "seconds": args.question_seconds,
            "auto_advance": False,
            "streak_bonus": True,
            "counts": False,
        }
        game = live.create_game(host, bank, bank.quizzes[BENCH_QUIZ], None, settings, None)
        game_id, pin, host_id, questions = game.id, game.pin, host.id, len(game.questions)
        db.session.remove()
        db.engine.dispose()
    cookie = browser_session(app, host_id, USER_AGENT)["cookie"]
    port = free_port()
    server = start_gunicorn(None, env, port, workers, tmp / "gunicorn.log")
    stack.append(server)

    def stored() -> int:
        with sqlite3.connect(database) as connection:
            query = "SELECT count(*) FROM live_answers WHERE game_id = ? AND outcome != 'late'"
            return connection.execute(query, (game_id,)).fetchone()[0]

    return Target(f"http://127.0.0.1:{port}", game_id, pin, questions, server.pid, cookie, stored)


# -- the run -----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def cpu(phase: Phase | None) -> str:
    if phase is None:
        return "—"
    clients = " ".join(f"{share:.0%}" for share in phase.clients)
    return f"clients {clients}; server {phase.server:.0%}; load {phase.load}"


def report(
    args, target: Target, joining: Phase, runs: list[QuestionRun], records: list[PlayerRecords]
) -> list[tuple[str, bool]]:
    joined = sum(r.joined for r in records)
    join_times = [t for r in records for t in r.join_seconds]
    errors = [e for r in records for e in r.join_errors]
    print(
        f"\njoin: {joined} of {args.players} players in {joining.wall:.1f} s"
        f" (each: p50 {ms(percentile(join_times, 50))}, p99 {ms(percentile(join_times, 99))});"
        f" {cpu(joining)}"
    )
    for error in sorted(set(errors))[:5]:
        print(f"  join error ({errors.count(error)}x): {error[:200]}")
    print(
        "\n| q | fan-out p50 | p99 | last | answer to host count p50 | p99 | leaderboard p50 | p99 | last"
        " | answers ok / sent | all answers in | host count | CPU (question open to last result) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    sent = acknowledged = counted = 0
    for run in runs:
        answers = [a for r in records for a in r.answers.get(run.position, [])]
        ok = sum(1 for _, _, good, _ in answers if good)
        collected = max((t for _, t, _, _ in answers), default=run.opened) - run.opened
        sent, acknowledged, counted = sent + len(answers), acknowledged + ok, counted + run.counted
        print(
            f"| {run.position + 1} | {ms(percentile(run.fanout, 50))} | {ms(percentile(run.fanout, 99))}"
            f" | {ms(max(run.fanout, default=float('nan')))} | {ms(percentile(run.counts, 50))}"
            f" | {ms(percentile(run.counts, 99))} | {ms(percentile(run.leaderboard, 50))}"
            f" | {ms(percentile(run.leaderboard, 99))} | {ms(max(run.leaderboard, default=float('nan')))}"
            f" | {ok} / {len(answers)} | {collected:.1f} s | {run.counted} | {cpu(run.cpu)} |"
        )
    refused = [e for r in records for answers in r.answers.values() for _, _, good, e in answers if not good]
    for error in sorted(set(refused))[:5]:
        print(f"  answer refused or lost ({refused.count(error)}x): {error[:200]}")
    fanout = [t for run in runs for t in run.fanout]
    lasts = [max(run.fanout) for run in runs if run.fanout]
    boards = [t for run in runs for t in run.leaderboard]
    counts = [t for run in runs for t in run.counts]
    print(
        f"\nall questions: fan-out p50 {ms(percentile(fanout, 50))}, p99 {ms(percentile(fanout, 99))},"
        f" to the last player p50 {ms(statistics.median(lasts) if lasts else float('nan'))}"
        f" and worst {ms(max(lasts, default=float('nan')))}; answer to host count p50"
        f" {ms(percentile(counts, 50))}, p99 {ms(percentile(counts, 99))}; leaderboard p50"
        f" {ms(percentile(boards, 50))}, p99 {ms(percentile(boards, 99))}"
    )
    stored = target.stored_answers() if target.stored_answers else None
    dropped = sum(r.disconnects for r in records)
    # Lost: acknowledged to the phone, yet missing from the host's count or the database.
    lost = max(0, acknowledged - counted) + (max(0, acknowledged - stored) if stored is not None else 0)
    print(
        f"answers: {sent} sent, {acknowledged} acknowledged, {counted} counted on the host"
        + (f", {stored} stored" if stored is not None else "")
        + f"; players the server dropped: {dropped} (a dropped player sends no more answers)"
    )
    reasons: dict[str, int] = defaultdict(int)
    for r in records:
        for reason, n in r.drop_reasons.items():
            reasons[reason] += n
    for reason, n in sorted(reasons.items()):
        print(f"  players dropped ({n}x): {reason}")
    return [
        (f"every player joined ({joined} of {args.players})", joined == args.players),
        (
            f"p99 fan-out under {FANOUT_P99_TARGET_MS:.0f} ms ({ms(percentile(fanout, 99))})",
            percentile(fanout, 99) * 1000 < FANOUT_P99_TARGET_MS,
        ),
        (f"no answer lost ({lost})", lost == 0),
        (
            f"every answer sent and acknowledged ({acknowledged} of {joined * len(runs)})",
            acknowledged == sent == joined * len(runs),
        ),
        (f"no player dropped ({dropped})", dropped == 0),
    ]


def server_troubles(log: Path) -> None:
    """The server log's errors and warnings (a worker killed for a timeout, a failed event)."""
    if not log.exists():
        return
    lines = [line for line in log.read_text(errors="replace").splitlines() if TROUBLE.search(line)]
    for line in lines[:20]:
        print(f"server: {line[:300]}")
    if len(lines) > 20:
        print(f"server: ... and {len(lines) - 20} more lines like these")


def socketio_errors() -> type[Exception]:
    from socketio.exceptions import SocketIOError

    return SocketIOError


async def conduct(target: Target, args, pids, controls, out) -> tuple:
    coordinator = Coordinator(target, args, pids, controls, out)
    played = await coordinator.play()
    return (*played, coordinator.problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=("quizapp", "bare"), default="quizapp")
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=4, help="client processes sharing the players")
    parser.add_argument("--think", type=float, default=10.0, help="players answer within this many seconds")
    parser.add_argument(
        "--join-rate", type=float, default=25, help="players joining a second, in turn (0: all at once)"
    )
    parser.add_argument("--redis", action="store_true", help="two gunicorn workers behind redis-server")
    parser.add_argument("--results", choices=("personal", "ranks"), default="personal", help="bare app only")
    parser.add_argument(
        "--players-every", type=int, default=1, help="bare app: the host's player list every Nth join"
    )
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--question-seconds", type=int, default=60, help="each question's time limit")
    parser.add_argument("--seconds", type=float, default=300, help="the whole run's cap")
    args = parser.parse_args()
    began = time.monotonic()
    print(
        f"live: {args.players} players over {args.processes} client processes, app {args.app}"
        f"{', 2 workers + Redis' if args.redis else ', 1 worker'}; {os.cpu_count()} cores; load {loadavg()}"
    )
    stack: list[subprocess.Popen] = []
    context = multiprocessing.get_context("spawn")
    children = []
    with tempfile.TemporaryDirectory(prefix="quizapp-live-") as name:
        tmp = Path(name)
        try:
            target = bare_target(args, tmp, stack) if args.app == "bare" else quizapp_target(args, tmp, stack)
            out = context.Queue()
            controls = []
            shares = [list(range(i, args.players, args.processes)) for i in range(args.processes)]
            for index, share in enumerate(shares):
                mine, theirs = context.Pipe()
                child = context.Process(
                    target=players_process,
                    args=(share, target.url, target.pin, args.think, args.join_rate, theirs, out, index),
                    daemon=True,
                )
                child.start()
                children.append(child)
                controls.append(mine)
            pids = [c.pid for c in children]
            left = args.seconds - (time.monotonic() - began)
            try:
                joining, runs, records, problems = asyncio.run(
                    asyncio.wait_for(conduct(target, args, pids, controls, out), left)
                )
            except (TimeoutError, socketio_errors()) as exc:
                print(f"FAIL  the run did not finish within --seconds {args.seconds:.0f}: {exc!r}")
                log = tmp / "gunicorn.log"
                if log.exists():
                    print(f"the server's log ends:\n{log.read_text()[-5000:]}")
                return 1
            checks = report(args, target, joining, runs, records)
        finally:
            server_troubles(tmp / "gunicorn.log")
            for child in children:
                if child.is_alive():
                    child.kill()
            for process in reversed(stack):
                stop(process)
    for problem in problems:
        print(f"problem: {problem}")
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    print(f"total time {time.monotonic() - began:.0f} s; load {loadavg()}")
    return 0 if all(ok for _, ok in checks) and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
