"""Load: requests/s and latency of quizapp's main pages under gunicorn, against a bare Flask app.

Seeds a temporary SQLite database: 1,000 students, the article bank (questions/csto-2022.yaml),
an instructor's class of 100 students with three assigned quizzes that every one of them has
submitted (answered at random, so missed questions wait in their flashcard queues), and an attempt
in progress for every student at five quizzes (5,000). Each submit stores a new attempt, so 3,000
more students (--submitters) have five attempts in progress too: 20,000 in all, enough for 1,600
submits a second over the warm-up and the measured run.
Then it serves a bare Flask app (bench/bare_app.py) and quizapp, one after the other, with the
same gunicorn settings (gunicorn.conf.py, the same number of workers), and drives each with wrk
at 50 connections (`wrk -t2 -c50 -d8s --latency`, after a 2 s warm-up) on:

  bare        GET / of the bare app ("hello")
  home        GET / as a logged-in student
  quiz page   GET /attempts/<id> of an attempt in progress
  submit      POST /attempts/<id>, logged in, with its CSRF token: a new attempt stored each time
  draft save  POST /attempts/<id>/draft, the autosave of an attempt's first page (its answers
              stored as drafts, the draft version raised)
  gradebook   GET /teach/classes/<id>/gradebook of the 100-student class, as its instructor
  flashcard   GET /study/csto-2022, the next card of a student with cards due

Targets: quiz page at least 0.35 x bare requests/s, submit at least 0.25 x bare, a draft save
costing no more than a quiz page (at least as many requests/s), p99 latency under 100 ms
everywhere, no errors, and as many submitted attempts stored as submits answered.
Exits 1 if a target is missed, 2 if wrk is missing and cannot be installed (Debian: `apt-get
install wrk`; run as root, the script installs it). Loopback only, about two minutes; never
part of the tests.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
from common import browser_session, free_port
from sqlalchemy import insert, select
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from quizapp import create_app
from quizapp.accounts.operations import SignedIn
from quizapp.extensions import bank_registry, db
from quizapp.models import Assignment, Classroom, Enrollment, User
from quizapp.quizzes.operations import (
    ShownQuestion,
    attempt_state,
    field_name,
    read_answers,
    start_attempt,
    submit_attempt,
)

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
BANK = "csto-2022"
ASSIGNED = ("founding", "kazakhstan-2022", "past-refusals")
IN_PROGRESS = ("founding", "kazakhstan-2022", "past-refusals", "regime-defence", "random-review")
#: wrk sends this User-Agent; Flask-Login ties a session to the browser's address and User-Agent.
USER_AGENT = "quizapp-load"
SECRET_KEY = "load-benchmark"  # noqa: S105 - signs the sessions of a throwaway database
#: Seconds the submit run goes on after its last new request, for the ones in flight to be answered.
DRAIN = 1

QUIZ_PAGE_RATIO = 0.35
SUBMIT_RATIO = 0.25
P99_TARGET_MS = 100.0


# -- seeding ----------------------------------------------------------------------------------


@dataclass
class Seeded:
    """What the benchmark's browsers hold: one prepared request per line (method, path, cookie, body)."""

    home: list[tuple[str, ...]] = field(default_factory=list)
    quiz: list[tuple[str, ...]] = field(default_factory=list)
    submit: list[tuple[str, ...]] = field(default_factory=list)
    draft: list[tuple[str, ...]] = field(default_factory=list)
    gradebook: list[tuple[str, ...]] = field(default_factory=list)
    card: list[tuple[str, ...]] = field(default_factory=list)
    class_id: int = 0
    #: The class's students, whose queues hold the questions they missed.
    class_students: int = 0


def answer_fields(shown: Sequence[ShownQuestion], rng: random.Random) -> list[tuple[str, str]]:
    """A filled-in quiz form, answered at random (so mostly wrongly) but always readable."""
    fields: list[tuple[str, str]] = []
    for position, question in shown:
        name = field_name(position)
        kind = question.type
        if kind == "single":
            fields.append((name, str(rng.randrange(len(question.choices)))))
        elif kind == "multi":
            picks = rng.sample(range(len(question.choices)), min(2, len(question.choices)))
            fields += [(name, str(i)) for i in sorted(picks)]
        elif kind == "true_false":
            fields.append((name, rng.choice(("true", "false"))))
        elif kind == "numeric":
            fields.append((name, str(rng.choice((1992, 2002, 2010, 2022)))))
        elif kind == "text":
            fields.append((name, rng.choice(("Moscow", "Tokayev", "Armenia"))))
        elif kind == "order":
            items = len(question.items or question.answer)
            positions = rng.sample(range(1, items + 1), items)
            fields += [(f"{name}-{i}", str(p)) for i, p in enumerate(positions)]
        elif kind == "match":
            fields += [
                (f"{name}-{i}", str(rng.randrange(len(question.options)))) for i in range(len(question.lefts))
            ]
    return fields


def seed(app, students: int, class_size: int, rng: random.Random, submitters: int = 0) -> Seeded:
    now = datetime.now(UTC)
    password = generate_password_hash("a long password")
    with app.app_context():
        flask_migrate.upgrade()
        db.session.execute(
            insert(User),
            [
                {
                    "username": f"s{i:04d}",
                    "display_name": f"Student {i:04d}",
                    "password_hash": password,
                    "role": "student",
                    "created_at": now,
                }
                for i in range(students + submitters)
            ],
        )
        instructor = User(username="prof", display_name="Prof", password_hash=password, role="instructor")
        db.session.add(instructor)
        db.session.commit()
        classroom = Classroom(name="Load class", instructor_id=instructor.id, join_code="ACDEFGHJ")
        db.session.add(classroom)
        db.session.commit()
        everyone = [
            SignedIn(*row)
            for row in db.session.execute(
                select(User.id, User.username, User.display_name, User.role, User.session_generation)
                .where(User.role == "student")
                .order_by(User.id)
            )
        ]
        learners = everyone[:students]
        members = learners[:class_size]
        db.session.execute(
            insert(Enrollment),
            [{"classroom_id": classroom.id, "user_id": u.id, "joined_at": now} for u in members],
        )
        db.session.execute(
            insert(Assignment),
            [
                {"classroom_id": classroom.id, "bank_slug": BANK, "quiz_id": q, "created_at": now}
                for q in ASSIGNED
            ],
        )
        db.session.commit()
        seeded = Seeded(class_id=classroom.id, class_students=len(members))
        instructor_id = instructor.id
        bank = bank_registry().get(BANK)
        # Each learner's attempts are made in a session of their own: one long session would
        # expire every object it ever loaded at each commit.
        for user in members:  # the class has taken its quizzes, mostly wrongly
            for quiz_id in ASSIGNED:
                attempt = start_attempt(user, bank, bank.quizzes[quiz_id], rng)
                state = attempt_state(attempt.id)
                answers, problems = read_answers(state.shown, MultiDict(answer_fields(state.shown, rng)))
                assert not problems, problems
                assert submit_attempt(state, answers)
            db.session.remove()
        in_progress = []
        for user in everyone:
            for quiz_id in IN_PROGRESS:
                attempt = start_attempt(user, bank, bank.quizzes[quiz_id], rng)
                shown = attempt_state(attempt.id).shown
                fields = answer_fields(shown, rng)
                first_page = shown[: bank.quizzes[quiz_id].per_page]
                draft = [("positions", ",".join(str(s.position) for s in first_page))]
                draft += answer_fields(first_page, rng)
                in_progress.append((user.id, attempt.id, urlencode(fields), urlencode(draft)))
            db.session.remove()
        user_ids = [u.id for u in learners]
        submitter_ids = [u.id for u in everyone[students:]]
        class_ids = [u.id for u in members]
        db.session.remove()
        db.engine.dispose()
    # Outside the app context: each browser needs a request context of its own, since
    # Flask-WTF keeps the CSRF token it made in g.
    browsers = {
        uid: browser_session(app, uid, USER_AGENT) for uid in [*user_ids, *submitter_ids, instructor_id]
    }
    seeded.home = [("GET", "/", browsers[uid]["cookie"], "") for uid in user_ids]
    rng.shuffle(in_progress)
    submitters = set(submitter_ids)
    seeded.quiz = [
        ("GET", f"/attempts/{aid}", browsers[uid]["cookie"], "")
        for uid, aid, _, _ in in_progress
        if uid not in submitters
    ]
    seeded.draft = [
        (
            "POST",
            f"/attempts/{aid}/draft",
            browsers[uid]["cookie"],
            urlencode({"csrf_token": browsers[uid]["token"]}) + "&" + draft,
        )
        for uid, aid, _, draft in in_progress
        if uid not in submitters
    ]
    seeded.submit = [
        (
            "POST",
            f"/attempts/{aid}",
            browsers[uid]["cookie"],
            urlencode({"csrf_token": browsers[uid]["token"]}) + "&" + body,
        )
        for uid, aid, body, _ in in_progress
    ]
    gradebook = f"/teach/classes/{seeded.class_id}/gradebook"
    seeded.gradebook = [("GET", gradebook, browsers[instructor_id]["cookie"], "")]
    seeded.card = [("GET", f"/study/{BANK}", browsers[uid]["cookie"], "") for uid in class_ids]
    return seeded


def write_requests(path: Path, lines: list[tuple[str, ...]], at_least: int) -> Path:
    """One request a line, tab-separated; repeated up to ``at_least`` lines (a share for every thread)."""
    repeated = list(lines)
    while len(repeated) < at_least:
        repeated += lines
    path.write_text("".join("\t".join(line) + "\n" for line in repeated))
    return path


def submitted_count(database: Path) -> int:
    with sqlite3.connect(database) as con:
        return con.execute("SELECT count(*) FROM attempts WHERE submitted_at IS NOT NULL").fetchone()[0]


# -- servers ----------------------------------------------------------------------------------


def start_server(app_uri: str | None, env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    """gunicorn with gunicorn.conf.py (quizapp's own settings), serving ``app_uri`` if given."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
    if app_uri:
        command.append(app_uri)
    server = subprocess.Popen(
        command,
        env={
            **env,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
        },
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            status, _, _ = fetch(port, "GET", "/", "", "")
            if status < 500:
                # Every worker builds its app on its own: let all of them finish before measuring.
                time.sleep(2)
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    server.wait()
    raise SystemExit(f"gunicorn did not start; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def fetch(port: int, method: str, path: str, cookie: str, body: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"User-Agent": USER_AGENT}
        if cookie:
            headers["Cookie"] = cookie
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# -- wrk --------------------------------------------------------------------------------------


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing; installing it: apt-get install -y wrk")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, env=env, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            subprocess.run(install, env=env, check=False)
        wrk = shutil.which("wrk")
        if wrk:
            return wrk
    print("wrk is needed: install the Debian package `wrk` (apt-get install wrk), or run this as root.")
    raise SystemExit(2)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    status_errors: int
    output: str = ""
    cpu: CpuUse | None = None

    @property
    def errors(self) -> int:
        return self.socket_errors + self.status_errors


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def to_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(name: str, output: str) -> Result:
    """wrk's summary: Requests/sec, the 50% and 99% latencies, socket errors, non-2xx/3xx."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([0-9.]+)(us|ms|s|m|h)\s*$", output, re.M)
        if not match:
            raise ValueError(f"no {percent}% latency in wrk's output:\n{output}")
        return to_ms(*match.groups())

    def slowest() -> float:
        match = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([0-9.]+)(us|ms|s|m|h)", output, re.M)
        if not match:
            raise ValueError(f"no latency line in wrk's output:\n{output}")
        return to_ms(*match.groups())

    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h)", output, re.M)
    if not rps or not total:
        raise ValueError(f"no request rate in wrk's output:\n{output}")
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(
        name=name,
        requests=int(total.group(1)),
        seconds=to_ms(total.group(2), total.group(3)) / 1e3,
        rps=float(rps.group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        max_ms=slowest(),
        socket_errors=sum(map(int, sockets.groups())) if sockets else 0,
        status_errors=int(status.group(1)) if status else 0,
        output=output,
    )


def run_wrk(
    wrk: str, name: str, url: str, seconds: int, threads: int, connections: int, script: Path | None, args=()
) -> Result:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command += [url]
    if args:
        command += ["--", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}) on {name}:\n{done.stdout}\n{done.stderr}")
    return parse_wrk(name, done.stdout)


def server_statuses(log: Path, start: int, method: str) -> dict[str, int]:
    """Status codes the app's access log (on gunicorn's standard error) gave ``method`` requests
    since byte ``start`` of the log."""
    with log.open("rb") as f:
        f.seek(start)
        text = f.read().decode(errors="replace")
    counts: dict[str, int] = {}
    for status in re.findall(rf'"{method} \S+" (\d{{3}}) ', text):
        counts[status] = counts.get(status, 0) + 1
    return counts


# -- CPU accounting (Linux /proc; skipped elsewhere) --------------------------------------------


def _process_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def server_ticks(master: int) -> int:
    """CPU ticks used so far by a gunicorn master and its workers."""
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False)
    return sum(_process_ticks(int(pid)) for pid in [master, *found.stdout.split()])


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, all cores."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return 0, 0
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class CpuUse:
    """Where the CPU went during a run: the server's share per request, and other processes' share."""

    server_ms_per_request: float | None
    others_share: float | None


class CpuMeter:
    def __init__(self, master: int):
        self.master = master
        self.hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.available = Path("/proc/stat").exists()

    def start(self) -> None:
        self.machine = machine_ticks()
        self.server = server_ticks(self.master)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children = usage.ru_utime + usage.ru_stime

    def stop(self, requests: int) -> CpuUse:
        if not self.available:
            return CpuUse(None, None)
        busy, total = (b - a for a, b in zip(self.machine, machine_ticks(), strict=True))
        server = server_ticks(self.master) - self.server
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk = (usage.ru_utime + usage.ru_stime - self.children) * self.hz  # wrk, a child of ours
        others = max(0.0, busy - server - wrk)
        return CpuUse(
            1000 * server / self.hz / requests if requests else None,
            others / total if total else None,
        )


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    requests: list[tuple[str, ...]]
    expect: int
    #: Bytes the page must contain: proof that it is the page meant, logged in.
    check: bytes = b""


def smoke(port: int, endpoint: Endpoint) -> None:
    """One request through the prepared session: the page must be the logged-in one, not a login
    redirect, and must not set a new session cookie (every response would then carry one)."""
    method, path, cookie, body = endpoint.requests[0]
    status, headers, content = fetch(port, method, path, cookie, body)
    if status != endpoint.expect or endpoint.check not in content:
        raise SystemExit(
            f"{endpoint.name}: {method} {path} answered {status} {headers.get('Location', '')}"
            f" (expected {endpoint.expect}); not measured"
        )
    if "Set-Cookie" in headers:
        print(f"  note: {endpoint.name} sets a cookie on every response: {headers['Set-Cookie'][:60]}...")


@dataclass
class Load:
    """One wrk configuration against one server."""

    wrk: str
    port: int
    master: int
    threads: int
    connections: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def run(self, name: str, seconds: int, script: Path | None = None, args=(), measured=True) -> Result:
        meter = CpuMeter(self.master)
        meter.start()
        result = run_wrk(self.wrk, name, self.url, seconds, self.threads, self.connections, script, args)
        result.cpu = meter.stop(result.requests) if measured else None
        return result


def measure_bare(wrk: str, env: dict, args, log: Path) -> Result:
    """The ceiling: a bare Flask app under the same gunicorn settings."""
    port = free_port()
    server = start_server("bench.bare_app:app", env, port, args.workers, log)
    try:
        load = Load(wrk, port, server.pid, args.threads, args.connections)
        load.run("bare", args.warmup, measured=False)
        return load.run("bare", args.duration)
    finally:
        stop_server(server)


@dataclass
class SubmitCheck:
    answered: int = 0
    #: Submits wrk counted complete without error.
    wrk_counted: int = 0
    stored: int = 0
    #: Status codes the access log gave the POSTs of the measured run.
    logged: dict[str, int] = field(default_factory=dict)
    pool_notes: list[str] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return any("exhausted" in note for note in self.pool_notes)


def measure_app(
    wrk: str, env: dict, args, log: Path, database: Path, tmp: Path, seeded: Seeded
) -> tuple[list[Result], SubmitCheck]:
    endpoints = [
        Endpoint("home", seeded.home, 200, b'class="who"'),
        Endpoint("quiz page", seeded.quiz, 200, b'id="quiz"'),
        Endpoint("draft save", seeded.draft, 200, b'"saved":true'),
        Endpoint("submit", seeded.submit, 302),
        Endpoint("gradebook", seeded.gradebook, 200, b"Student 0000"),
        Endpoint("flashcard", seeded.card, 200, b'id="flashcard"'),
    ]
    results: list[Result] = []
    check = SubmitCheck()
    port = free_port()
    server = start_server(None, env, port, args.workers, log)
    try:
        load = Load(wrk, port, server.pid, args.threads, args.connections)
        for endpoint in endpoints:
            smoke(port, endpoint)
            if endpoint.name != "submit":
                file = write_requests(
                    tmp / f"{endpoint.name.replace(' ', '-')}.tsv", endpoint.requests, args.threads
                )
                script = WRK_DIR / "requests.lua"
                load.run(endpoint.name, args.warmup, script, (file, args.threads), measured=False)
                results.append(load.run(endpoint.name, args.duration, script, (file, args.threads)))
                continue
            # Submits: the smoke test used the first attempt; the warm-up takes a share of the
            # rest in proportion to its length, the measured run all that is left. Each run stops
            # sending DRAIN seconds before wrk's end, so that no submit is in flight when wrk stops.
            pool = endpoint.requests[1:]
            cut = len(pool) * args.warmup // (args.warmup + args.duration)
            warm = write_requests(tmp / "submit-warmup.tsv", pool[:cut], 0)
            measured = write_requests(tmp / "submit.tsv", pool[cut:], 0)
            script = WRK_DIR / "submit.lua"
            until = time.monotonic() + args.warmup
            load.run("submit", args.warmup + DRAIN, script, (warm, args.threads, until), measured=False)
            time.sleep(0.5)
            before, offset = submitted_count(database), log.stat().st_size
            # Every thread stops sending at one instant, DRAIN seconds before wrk stops at the
            # earliest (wrk starts its clock after setting its threads up).
            until = time.monotonic() + args.duration
            result = load.run("submit", args.duration + DRAIN, script, (measured, args.threads, until))
            time.sleep(0.5)
            check.stored = submitted_count(database) - before
            # Counted by the script as each 302 arrives; wrk's own count includes the few late
            # requests submit.lua answers with a static file after its deadline.
            check.answered = sum(int(n) for n in re.findall(r"(\d+) answered 302", result.output))
            check.wrk_counted = result.requests - result.errors
            check.logged = server_statuses(log, offset, "POST")
            check.pool_notes = re.findall(r"^submit pool: .*$", result.output, re.M)
            # Submits graded and stored, over the time they were being sent (wrk divides by its
            # -d, which includes its set-up and the drain, and counts the late requests too).
            first = min(float(t) for t in re.findall(r"first at ([0-9.]+)", result.output))
            result.rps = check.answered / (until - first)
            results.append(result)
    finally:
        stop_server(server)
    return results, check


def report(results: list[Result], check: SubmitCheck) -> bool:
    bare = results[0].rps
    print()
    print(
        "| endpoint | requests/s | p50 | p99 | max | errors | × bare | server CPU per request | other load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        cpu = r.cpu or CpuUse(None, None)
        per = f"{cpu.server_ms_per_request:.2f} ms" if cpu.server_ms_per_request is not None else "—"
        others = f"{cpu.others_share:.0%}" if cpu.others_share is not None else "—"
        print(
            f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms | {r.max_ms:,.0f} ms | {r.errors}"
            f" | {r.rps / bare:.2f} | {per} | {others} |"
        )
    print()
    print("other load: CPU used by processes other than gunicorn and wrk, as a share of all cores.")
    for note in check.pool_notes:
        print(note)
    print(
        f"submits answered 302 (counted by submit.lua): {check.answered}; counted by wrk:"
        f" {check.wrk_counted}; submitted attempts stored:"
        f" {check.stored}; the access log has these POST statuses: {check.logged}"
    )
    by_name = {r.name: r for r in results}
    checks = [
        (f"quiz page ≥ {QUIZ_PAGE_RATIO} × bare", by_name["quiz page"].rps >= QUIZ_PAGE_RATIO * bare),
        (
            f"submit ≥ {SUBMIT_RATIO} × bare",
            by_name["submit"].rps >= SUBMIT_RATIO * bare and not check.exhausted,
        ),
        ("draft save ≥ quiz page (costs no more)", by_name["draft save"].rps >= by_name["quiz page"].rps),
        (f"p99 under {P99_TARGET_MS:.0f} ms everywhere", all(r.p99_ms < P99_TARGET_MS for r in results)),
        ("no errors", all(r.errors == 0 for r in results)),
        ("stored attempts == successful submits", check.stored == check.answered),
    ]
    if check.exhausted:
        print("the submit pool ran out before the end: raise --submitters or lower --duration")
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return all(ok for _, ok in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=multiprocessing.cpu_count(),
        help="gunicorn workers for both apps (default: gunicorn.conf.py's rule, one a core)",
    )
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument(
        "--submitters",
        type=int,
        default=3000,
        help="more students, outside the class, with attempts in progress: the submits' supply",
    )
    parser.add_argument("--class-size", type=int, default=100)
    args = parser.parse_args()
    wrk = find_wrk()
    began = time.monotonic()
    print(
        f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency"
        f" (after {args.warmup} s of warm-up); gunicorn -c gunicorn.conf.py, {args.workers} workers;"
        f" {os.cpu_count()} cores; SQLite"
    )
    with tempfile.TemporaryDirectory(prefix="quizapp-load-") as name:
        tmp = Path(name)
        database = tmp / "load.sqlite3"
        log = tmp / "gunicorn.log"
        env = {
            **os.environ,
            "QUIZAPP_DATABASE_URL": f"sqlite:///{database}",
            "QUIZAPP_BANKS_DIR": str(ROOT / "questions"),
            "QUIZAPP_SECRET_KEY": SECRET_KEY,
        }
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": env["QUIZAPP_DATABASE_URL"],
                "SECRET_KEY": SECRET_KEY,
                "BANKS_DIR": env["QUIZAPP_BANKS_DIR"],
            }
        )
        seeded = seed(app, args.students, args.class_size, random.Random(7), args.submitters)
        print(
            f"seeded in {time.monotonic() - began:.0f} s: {args.students} students"
            f" (and {args.submitters} more with attempts to submit),"
            f" a class of {seeded.class_students} with {len(ASSIGNED)} quizzes submitted,"
            f" {len(seeded.submit)} attempts in progress"
        )
        results = [measure_bare(wrk, env, args, log)]
        app_results, check = measure_app(wrk, env, args, log, database, tmp, seeded)
        results += app_results
    ok = report(results, check)
    print(f"total time {time.monotonic() - began:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
