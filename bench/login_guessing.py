"""Login under a guessing attack: `GET /` latency while threads send wrong passwords (issue 12).

Serves quizapp as `make serve` does (gunicorn -c gunicorn.conf.py, one worker a core) on a free
loopback port, with a fresh SQLite database made by `quizapp db upgrade` and one student made by
`quizapp users create`, whose password is hashed with the real scrypt. Then, on that server:

  idle      one client times 300 sequential `GET /` (after 20 untimed ones);
  attack    8 threads, each holding the session cookie and CSRF token of one `GET /login`, send
            wrong passwords for the student for 10 s, 40 a second in all (--rate; the issue's
            reproduction sent 320 in 8 s); meanwhile the same client times `GET /` again, until
            the attack stops.

Guesses are counted by answer: 422 "wrong password" (the only ones that cost a scrypt hash),
422 "locked" (the account's lockout, no hashing), 429 (throttled per client address by
Flask-Limiter, no hashing), and anything else. The limits live in each worker's memory
(RATELIMIT_STORAGE_URI memory://), so a client address gets LOGIN_RATE_LIMIT once per worker;
the lockout, in the database, still caps the hashes per account.

The same run is repeated on a second server, with its own fresh database, with throttling off
(QUIZAPP_RATELIMIT_ENABLED=false) and a lockout threshold no attack reaches: every guess is then
hashed, as before issue 12. Two more runs flood each server, as the issue's reproduction did: each
thread sends its next guess as soon as the last is answered. They have no target: a refused guess is cheap (no hashing)
but still holds a worker for a whole request, so a flood from loopback queues `GET /` behind it;
that is for the reverse proxy to refuse before it reaches a worker.

Target: with throttling on, `GET /` p50 under the 40-a-second stream within 2 x its idle p50. Exits 1 if it is
missed, or if no guess reached the password check (the attack measured nothing). Loopback only,
about a minute; never part of the tests. gunicorn's sync workers close every connection after
its answer, so each request opens a new one (http.client reconnects by itself).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from common import free_port
from load import fetch, machine_ticks, server_ticks, start_server, stop_server

STUDENT = "victim"
PASSWORD = "correct horse battery staple 12"  # noqa: S105 - a throwaway account's password
SECRET_KEY = "login-guessing-benchmark"  # noqa: S105 - signs the sessions of a throwaway database
TARGET_RATIO = 2.0
WARMUP = 20
#: Share of all cores taken by other processes above which the report warns that it is noisy.
NOISY = 0.1
#: Settings of the comparison server: no throttling, and a lockout no attack reaches.
UNTHROTTLED = {"QUIZAPP_RATELIMIT_ENABLED": "false", "QUIZAPP_LOGIN_LOCKOUT_THRESHOLD": "1000000"}
CSRF_FIELD = re.compile(rb'name="csrf_token"[^>]* value="([^"]+)"')
#: How the login view answers a guess; anything else means the attack did not measure what it should.
ANSWERS = ("422 wrong password", "422 locked", "429 throttled")


@dataclass
class Run:
    """What one server showed: `GET /` latencies idle and under attack, and how guesses were answered."""

    name: str
    idle_ms: list[float] = field(default_factory=list)
    attacked_ms: list[float] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    attack_seconds: float = 0.0
    locked: bool = False
    #: Shares of all cores during the attack: gunicorn, this script's threads, everything else.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def guesses(self) -> int:
        return sum(self.answers.values())

    @property
    def ratio(self) -> float:
        return p50(self.attacked_ms) / p50(self.idle_ms)


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


# -- the server's database ----------------------------------------------------------------------


def prepare(env: dict[str, str]) -> None:
    """Migrate the database and make the student, with the CLI an operator would use."""
    quizapp = str(Path(sys.executable).parent / "quizapp")
    subprocess.run([quizapp, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [quizapp, "users", "create", STUDENT],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )


def is_locked(database: Path) -> bool:
    with sqlite3.connect(database) as con:
        (until,) = con.execute("SELECT locked_until FROM users WHERE username = ?", (STUDENT,)).fetchone()
    return until is not None


# -- the clients --------------------------------------------------------------------------------


def time_home(port: int, count: int | None = None, until: float | None = None) -> list[float]:
    """Milliseconds of sequential `GET /` from one client: ``count`` of them, or until ``until``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples: list[float] = []
    try:
        while (count is None or len(samples) < count) and (until is None or time.monotonic() < until):
            began = time.perf_counter()
            conn.request("GET", "/")
            response = conn.getresponse()
            response.read()
            samples.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                raise SystemExit(f"GET / answered {response.status}; not measured")
    finally:
        conn.close()
    return samples


def login_form(port: int) -> tuple[str, str]:
    """The session cookie and CSRF token of one `GET /login`: Flask-WTF checks both on the POST."""
    status, headers, body = fetch(port, "GET", "/login", "", "")
    match = CSRF_FIELD.search(body)
    if status != 200 or match is None or "Set-Cookie" not in headers:
        raise SystemExit(f"GET /login answered {status} without a CSRF token and a session cookie")
    return headers["Set-Cookie"].split(";", 1)[0], match.group(1).decode()


def classify(status: int, body: bytes) -> str:
    if status == 429:
        return "429 throttled"
    if status == 422 and b"Too many wrong passwords" in body:
        return "422 locked"
    if status == 422 and b"Wrong username or password" in body:
        return "422 wrong password"
    return f"{status} other"


def guess(
    port: int,
    form: tuple[str, str],
    start: threading.Barrier,
    stop: threading.Event,
    answers: Counter,
    interval: float,
) -> None:
    """Send wrong passwords from ``start`` to ``stop``, one every ``interval`` seconds (0: each as
    soon as the one before is answered), counting the answers."""
    cookie, token = form
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait()
    due = time.monotonic()
    try:
        while not stop.is_set():
            if interval:
                due += interval
                if stop.wait(max(0.0, due - time.monotonic())):
                    break
            body = urlencode(
                {"csrf_token": token, "username": STUDENT, "password": f"guess {answers.total()}"}
            )
            try:
                conn.request("POST", "/login", body=body, headers=headers)
                response = conn.getresponse()
                answers[classify(response.status, response.read())] += 1
            except OSError as exc:
                answers[type(exc).__name__] += 1
                conn.close()
    finally:
        conn.close()


class CpuSplit:
    """Where all cores' time went between ``__init__`` and ``shares``, from /proc (Linux only)."""

    def __init__(self, master: int):
        self.master = master
        self.hz = os.sysconf("SC_CLK_TCK")
        self.machine, self.server, self.client = machine_ticks(), server_ticks(master), self._client()

    def _client(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return (usage.ru_utime + usage.ru_stime) * self.hz

    def shares(self) -> dict[str, float]:
        busy, total = (b - a for a, b in zip(self.machine, machine_ticks(), strict=True))
        if not total:
            return {}
        server = server_ticks(self.master) - self.server
        client = self._client() - self.client
        return {
            "gunicorn": server / total,
            "bench client": client / total,
            "other processes": max(0.0, busy - server - client) / total,
        }


def attack(port: int, master: int, run: Run, guessers: int, seconds: float, rate: float) -> None:
    """``guessers`` threads guessing for ``seconds``, ``rate`` guesses a second in all (0: as fast as
    they are answered), while one client times `GET /`."""
    forms = [login_form(port) for _ in range(guessers)]
    start, stop = threading.Barrier(guessers + 1), threading.Event()
    tallies: list[Counter[str]] = [Counter() for _ in forms]  # one a thread: no count is lost
    threads = [
        threading.Thread(
            target=guess, args=(port, form, start, stop, tally, guessers / rate if rate else 0.0)
        )
        for form, tally in zip(forms, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu = time.monotonic(), CpuSplit(master)
    run.attacked_ms = time_home(port, until=began + seconds)
    stop.set()
    for thread in threads:
        thread.join()
    run.attack_seconds = time.monotonic() - began
    run.cpu = cpu.shares()
    run.answers = sum(tallies, Counter())


def measure(name: str, env: dict[str, str], tmp: Path, args, rate: float) -> Run:
    """A fresh database and server with ``env``: `GET /` idle, then under attack."""
    database = tmp / f"{name}.sqlite3"
    env = {**env, "QUIZAPP_DATABASE_URL": f"sqlite:///{database}"}
    prepare(env)
    port = free_port()
    server = start_server(None, env, port, args.workers, tmp / f"{name}.log")
    run = Run(name)
    try:
        time_home(port, WARMUP)
        run.idle_ms = time_home(port, args.requests)
        attack(port, server.pid, run, args.guessers, args.seconds, rate)
    finally:
        stop_server(server)
    run.locked = is_locked(database)
    return run


# -- the report ---------------------------------------------------------------------------------


def report(runs: list[Run], args) -> bool:
    kinds = [*ANSWERS, *sorted({k for run in runs for k in run.answers} - set(ANSWERS))]
    print()
    print(
        "| server | idle p50 | idle p95 | attacked p50 | attacked p95 | × idle p50 | `GET /` timed under attack |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        print(
            f"| {run.name} | {p50(run.idle_ms):.1f} ms | {p95(run.idle_ms):.1f} ms"
            f" | {p50(run.attacked_ms):.1f} ms | {p95(run.attacked_ms):.1f} ms | {run.ratio:.2f}"
            f" | {len(run.attacked_ms)} |"
        )
    print()
    print(f"| server | guesses | per second | {' | '.join(kinds)} | account locked after |")
    print(f"|---|---:|---:|{'---:|' * len(kinds)}---|")
    for run in runs:
        counts = " | ".join(str(run.answers[k]) for k in kinds)
        print(
            f"| {run.name} | {run.guesses:,} | {run.guesses / run.attack_seconds:,.0f} | {counts}"
            f" | {'yes' if run.locked else 'no'} |"
        )
    print()
    for run in runs:
        split = ", ".join(f"{who} {share:.0%}" for who, share in run.cpu.items())
        print(f"CPU during the attack, {run.name} (shares of all {os.cpu_count()} cores): {split}")
    if any(run.cpu.get("other processes", 0) > NOISY for run in runs):
        print(
            f"note: other processes used more than {NOISY:.0%} of the machine during an attack;"
            " the latencies measure them too"
        )
    throttled, unthrottled, flood, unthrottled_flood = runs
    passed = throttled.guesses - throttled.answers["429 throttled"]
    print()
    print(
        f"Throttled: {passed} guesses passed the limiter (each of the {args.workers} workers counts"
        f" LOGIN_RATE_LIMIT on its own, in memory://); {throttled.answers['422 wrong password']} of"
        " them reached the password check (scrypt) before the account locked."
    )
    checks = [
        (
            f"throttled: `GET /` p50 under a stream of {args.rate:g} guesses/s ≤ {TARGET_RATIO:g} × idle"
            f" ({throttled.ratio:.2f})",
            throttled.ratio <= TARGET_RATIO,
        ),
        (
            "every guess reached the login view (no CSRF or other refusals)",
            all(k in ANSWERS for run in runs for k in run.answers),
        ),
        ("the attack reached the password check", throttled.answers["422 wrong password"] > 0),
        (
            "with throttling off, every guess was hashed",
            unthrottled.answers["422 wrong password"] == unthrottled.guesses > 0,
        ),
    ]
    print(
        f"Flood (no target; reported): guesses as fast as answered put `GET /` at {flood.ratio:.2f} x idle"
        f" throttled, {unthrottled_flood.ratio:.0f} x idle with throttling off (the issue's reproduction)."
        " Every refused guess still holds a worker for a whole request; refuse a flood before it"
        " reaches the app (the proxy's own limit, e.g. nginx limit_req; docs/deploy.md)."
    )
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return all(ok for _, ok in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="`GET /` timed idle")
    parser.add_argument("--guessers", type=int, default=8, help="threads sending wrong passwords")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the attack lasts")
    parser.add_argument(
        "--rate",
        type=float,
        default=40.0,
        help="guesses a second in all, the bounded stream the target is for (the issue's reproduction: 320 in 8 s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=multiprocessing.cpu_count(),
        help="gunicorn workers (default: gunicorn.conf.py's rule, one a core)",
    )
    args = parser.parse_args()
    print(
        f"login guessing: {args.guessers} threads for {args.seconds:g} s against one student;"
        f" gunicorn -c gunicorn.conf.py, {args.workers} workers; {os.cpu_count()} cores; SQLite"
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="quizapp-login-guessing-") as name:
        tmp = Path(name)
        env = {
            **os.environ,
            "QUIZAPP_BANKS_DIR": str(Path(__file__).resolve().parent.parent / "questions"),
            "QUIZAPP_SECRET_KEY": SECRET_KEY,
        }
        runs = [
            measure("throttled", env, tmp, args, args.rate),
            measure("throttling off", {**env, **UNTHROTTLED}, tmp, args, args.rate),
            measure("throttled, flood", env, tmp, args, 0.0),
            measure("throttling off, flood", {**env, **UNTHROTTLED}, tmp, args, 0.0),
        ]
    ok = report(runs, args)
    print(f"total time {time.monotonic() - began:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
