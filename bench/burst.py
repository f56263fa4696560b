"""Bursts and faults: many learners submitting at once through several gunicorn workers on SQLite.

1. Burst: 300 students submit the same quiz within 5 seconds. Every submit must be answered
   with success and stored exactly once; none may be refused with "database is locked".
2. Fault: the same burst, with every worker killed (SIGKILL) in the middle of it. After a restart
   the database must pass PRAGMA integrity_check, and every submit that was answered with success
   must be in it.
3. Two hosts: two gunicorn servers (separate instance folders) on one PostgreSQL, each learner
   submitting several quizzes of one bank at once through both. Every submit must be answered
   with success and stored. The database is --database-url (or QUIZAPP_BENCH_DATABASE_URL; it is
   emptied), else a throwaway cluster made with Debian's /usr/lib/postgresql/*/bin; skipped, and
   said so, when PostgreSQL is not installed.

Loopback only, bounded in time. Exits 1 if any check fails. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
from common import browser_session, free_port
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from quizapp import create_app
from quizapp.config import database_uri
from quizapp.extensions import bank_registry, db
from quizapp.models import Attempt, CardState, User
from quizapp.quizzes.operations import field_name, start_attempt

ROOT = Path(__file__).resolve().parent.parent
QUIZ = ("csto-2022", "founding")


def seed(app, students: int, quiz: tuple[str, str] | None = QUIZ) -> list[dict]:
    """Students with an attempt in progress each at ``quiz`` (None: none yet), and what each one's
    browser would send."""
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
        users = list(db.session.scalars(select(User).order_by(User.id)))
        if quiz is None:
            learners = [{"user_id": user.id} for user in users]
        else:
            bank = bank_registry().get(quiz[0])
            rng = random.Random(7)
            learners = []
            for user in users:
                attempt = start_attempt(user, bank, bank.quizzes[quiz[1]], rng)
                form = {
                    field_name(r.position): "0"
                    for r in attempt.responses
                    if r.question_type in ("single", "multi")
                }
                learners.append({"user_id": user.id, "attempt_id": attempt.id, "form": form})
    for learner in learners:  # outside the app context: each needs its own (Flask-WTF caches in g)
        learner.update(browser_session(app, learner["user_id"]))
    return learners


def start_server(env: dict, port: int, log: Path, app: tuple[str, ...] = ()) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), *app],
        env={"WEB_CONCURRENCY": "4", **env, "PORT": str(port)},
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


# -- two hosts on one PostgreSQL -----------------------------------------------------------------


def hosts_scenario(url: str | None, students: int, seconds: float) -> bool:
    """Each learner submits every quiz of one bank at once, half through each of two hosts."""
    if url is not None:
        return _two_hosts(url, students, seconds)
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries:
        print("two hosts: SKIPPED, PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
        return True
    with throwaway_cluster(binaries[-1].parent) as cluster_url:
        return _two_hosts(cluster_url, students, seconds)


@contextlib.contextmanager
def throwaway_cluster(bin_dir: Path) -> Iterator[str]:
    """A PostgreSQL cluster in a temporary folder, on the loopback address only, removed after."""
    root = os.geteuid() == 0
    as_owner = ["runuser", "-u", "postgres", "--"] if root else []
    with tempfile.TemporaryDirectory() as tmp:
        data, port = Path(tmp) / "data", free_port()
        if root:
            shutil.chown(tmp, "postgres")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT, "check": True}
        subprocess.run(
            [*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"], **quiet
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off"
        subprocess.run(
            [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start"], **quiet
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], **quiet
            )


BANK = "csto-2022"


def _two_hosts(url: str, students: int, seconds: float) -> bool:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_uri(url),
            "SECRET_KEY": "burst-benchmark",
            "BANKS_DIR": str(ROOT / "questions"),
        }
    )
    with app.app_context():
        with db.engine.begin() as connection:  # a database of its own: emptied first
            db.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()
        quizzes = [q for q in bank_registry().get(BANK).quizzes.values() if q.practice != "never"][:3]
    print(
        f"two hosts: {students} learners each submit {len(quizzes)} quizzes of {BANK} at once, through 2 servers on PostgreSQL"
    )
    learners = seed_quizzes(app, students, quizzes)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        env = {
            **os.environ,
            "QUIZAPP_DATABASE_URL": url,
            "QUIZAPP_BANKS_DIR": str(ROOT / "questions"),
            "QUIZAPP_SECRET_KEY": "burst-benchmark",
            "PYTHONPATH": str(ROOT / "bench"),
            "WEB_CONCURRENCY": "2",
        }
        ports, servers = [free_port(), free_port()], []
        try:
            for n, port in enumerate(ports):
                host_env = {**env, "BURST_INSTANCE": str(Path(tmp) / f"instance-{n}")}
                servers.append(start_server(host_env, port, log, ("burst_host:app",)))
            began = time.monotonic()
            results = together(ports, learners, seconds)
            took = time.monotonic() - began
        finally:
            for server in servers:
                server.terminate()
                server.wait(30)
        text_log = log.read_text(errors="replace")
    answered = {attempt for attempt, result in results if result == 302}
    failures = sorted({str(result) for _, result in results if result != 302})
    with app.app_context():
        submitted = set(db.session.scalars(select(Attempt.id).where(Attempt.submitted_at.is_not(None))))
        queued = db.session.scalar(select(func.count()).select_from(CardState))
        db.session.remove()
        db.engine.dispose()
    errors = text_log.count(" 500 ") + text_log.count("Traceback")
    print(
        f"  answered with success: {len(answered)} of {len(results)} in {took:.1f} s; other answers: {failures}"
    )
    print(
        f"  stored: {len(submitted)} submitted attempts (stored = answered: {submitted == answered}); cards queued: {queued}"
    )
    print(f"  500 responses or tracebacks in the servers' log: {errors}")
    ok = len(answered) == len(results) and submitted == answered and errors == 0
    print(f"  {'PASS' if ok else 'FAIL'}")
    return ok


def seed_quizzes(app, students: int, quizzes: list) -> list[dict]:
    """Students with an attempt in progress at each of ``quizzes``, answered with nothing: every
    question is missed, so every submit queues the same cards as the learner's others."""
    learners = seed(app, students, quiz=None)
    with app.app_context():
        bank = bank_registry().get(BANK)
        rng = random.Random(7)
        for learner in learners:
            user = db.session.get(User, learner["user_id"])
            learner["attempts"] = [start_attempt(user, bank, quiz, rng).id for quiz in quizzes]
    return learners


def together(ports: list[int], learners: list[dict], seconds: float) -> list[tuple[int, int | str]]:
    """Every learner's submits sent at the same moment, alternately to each host; the learners
    spread evenly over ``seconds``."""
    began = time.monotonic()
    jobs = [
        (i, k, attempt) for i, learner in enumerate(learners) for k, attempt in enumerate(learner["attempts"])
    ]

    def send(job):
        i, k, attempt = job
        time.sleep(max(0.0, began + i * seconds / len(learners) - time.monotonic()))
        learner = {**learners[i], "attempt_id": attempt, "form": {}}
        return attempt, submit(ports[(i + k) % len(ports)], learner)

    with ThreadPoolExecutor(64) as pool:
        return list(pool.map(send, jobs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("QUIZAPP_BENCH_DATABASE_URL"),
        help="PostgreSQL for the two-host variant (emptied first); default: a throwaway cluster",
    )
    parser.add_argument("--only-hosts", action="store_true", help="run the two-host variant alone")
    args = parser.parse_args()
    ok = True
    if not args.only_hosts:
        ok = scenario("burst", args.students, args.seconds, None)
        ok = scenario("kill -9", args.students, args.seconds, args.seconds / 2) and ok
    ok = hosts_scenario(args.database_url, max(1, args.students // 3), args.seconds) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
