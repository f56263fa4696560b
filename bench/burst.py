"""Bursts and faults: many learners submitting at once through several gunicorn workers on SQLite.

1. Burst: 300 students submit the same quiz within 5 seconds. Every submit must be answered
   with success and stored exactly once; none may be refused with "database is locked".
2. Fault: the same burst, with every worker killed (SIGKILL) in the middle of it. After a restart
   the database must pass PRAGMA integrity_check, and every submit that was answered with success
   must be in it.

Loopback only, bounded in time. Exits 1 if any check fails. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
from common import browser_session, free_port
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from quizapp import create_app
from quizapp.attempts import field_name, start_attempt
from quizapp.extensions import bank_registry, db
from quizapp.models import User

ROOT = Path(__file__).resolve().parent.parent
QUIZ = ("csto-2022", "founding")


def seed(app, students: int) -> list[dict]:
    """Students with an attempt in progress each, and what each one's browser would send."""
    now = datetime.now(UTC)
    password = generate_password_hash("a long password")
    with app.app_context():
        flask_migrate.upgrade()
        db.session.execute(
            insert(User),
            [
                {
                    "username": f"s{i:04d}",
                    "display_name": f"S {i}",
                    "password_hash": password,
                    "role": "student",
                    "created_at": now,
                }
                for i in range(students)
            ],
        )
        db.session.commit()
        bank = bank_registry().get(QUIZ[0])
        quiz = bank.quizzes[QUIZ[1]]
        rng = random.Random(7)
        learners = []
        for user in db.session.scalars(select(User).order_by(User.id)):
            attempt = start_attempt(user, bank, quiz, rng)
            form = {
                field_name(r.position): "0"
                for r in attempt.responses
                if r.question_type in ("single", "multi")
            }
            learners.append({"user_id": user.id, "attempt_id": attempt.id, "form": form})
    for learner in learners:  # outside the app context: each needs its own (Flask-WTF caches in g)
        learner.update(browser_session(app, learner["user_id"]))
    return learners


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
        env={**env, "PORT": str(port), "WEB_CONCURRENCY": "4"},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start; see " + str(log))


def submit(port: int, learner: dict) -> int | str:
    body = urlencode({"csrf_token": learner["token"], **learner["form"]})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "POST",
            f"/attempts/{learner['attempt_id']}",
            body=body,
            headers={"Cookie": learner["cookie"], "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        response.read()
        ok = response.status == 302 and response.getheader("Location", "").endswith(
            f"/attempts/{learner['attempt_id']}"
        )
        return 302 if ok else response.status
    except OSError as exc:
        return type(exc).__name__


def burst(
    port: int, learners: list[dict], seconds: float, kill_at: float | None, server: subprocess.Popen
) -> list:
    """Send every learner's submit, spread evenly over ``seconds``; optionally SIGKILL every
    worker ``kill_at`` seconds in."""
    began = time.monotonic()

    def send(i: int):
        time.sleep(max(0.0, began + i * seconds / len(learners) - time.monotonic()))
        return submit(port, learners[i])

    killers = []
    if kill_at is not None:  # three rounds, a second apart, so that some submits are in flight
        killers = [threading.Timer(kill_at + k, kill_workers, args=(server.pid,)) for k in (-1, 0, 1)]
        for killer in killers:
            killer.start()
    with ThreadPoolExecutor(64) as pool:
        results = list(pool.map(send, range(len(learners))))
    for killer in killers:
        killer.join()
    return results


def kill_workers(master_pid: int) -> None:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    print(f"  killed {len(children)} workers with SIGKILL")


def stored(database: Path) -> tuple[str, set[int], int]:
    with sqlite3.connect(database) as con:
        check = con.execute("PRAGMA integrity_check").fetchone()[0]
        submitted = {row[0] for row in con.execute("SELECT id FROM attempts WHERE submitted_at IS NOT NULL")}
        graded = con.execute(
            "SELECT count(*) FROM responses r JOIN attempts a ON a.id = r.attempt_id"
            " WHERE a.submitted_at IS NOT NULL AND r.outcome IS NULL"
        ).fetchone()[0]
    return check, submitted, graded


def scenario(name: str, students: int, seconds: float, kill_at: float | None) -> bool:
    killed = f", every worker killed at {kill_at - 1:g}, {kill_at:g} and {kill_at + 1:g} s" if kill_at else ""
    print(f"{name}: {students} submits in {seconds:.0f} s through 4 workers{killed}")
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "burst.sqlite3"
        log = Path(tmp) / "gunicorn.log"
        env = {
            **os.environ,
            "QUIZAPP_DATABASE_URL": f"sqlite:///{database}",
            "QUIZAPP_BANKS_DIR": str(ROOT / "questions"),
            "QUIZAPP_SECRET_KEY": "burst-benchmark",
        }
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": env["QUIZAPP_DATABASE_URL"],
                "SECRET_KEY": env["QUIZAPP_SECRET_KEY"],
                "BANKS_DIR": env["QUIZAPP_BANKS_DIR"],
            }
        )
        learners = seed(app, students)
        port = free_port()
        server = start_server(env, port, log)
        try:
            began = time.monotonic()
            results = burst(port, learners, seconds, kill_at, server)
            took = time.monotonic() - began
        finally:
            server.terminate()
            server.wait(30)
        if kill_at is not None:  # restart once, as an operator would, then stop cleanly
            server = start_server(env, port, log)
            server.terminate()
            server.wait(30)
        check, submitted, ungraded = stored(database)
        text = log.read_text(errors="replace")
        answered = {learners[i]["attempt_id"] for i, r in enumerate(results) if r == 302}
        failures = [r for r in results if r != 302]
        locked = text.count("database is locked")
        errors = text.count(" 500 ")
        print(
            f"  answered with success: {len(answered)} of {students} in {took:.1f} s; other answers: {sorted(set(map(str, failures)))}"
        )
        print(
            f"  stored: {len(submitted)} submitted attempts; integrity_check: {check}; ungraded responses: {ungraded}"
        )
        print(f'  "database is locked" in the server log: {locked}; 500 responses: {errors}')
        ok = check == "ok" and answered <= submitted and locked == 0 and errors == 0 and ungraded == 0
        if kill_at is None:
            ok = ok and len(answered) == students and submitted == answered
        print(f"  {'PASS' if ok else 'FAIL'}")
        return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    ok = scenario("burst", args.students, args.seconds, None)
    ok = scenario("kill -9", args.students, args.seconds, args.seconds / 2) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
