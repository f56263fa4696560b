"""Ceilings: how fast bare Flask renders a quiz page and stores one row, as ratios to "hello".

The load targets (bench/load.py) are ratios to a bare Flask "hello"; this measures, on this
machine and under the same gunicorn settings and wrk load, the bare work they are meant to
approach: quizapp's quiz form for 10 questions rendered without login, session or database, and
a one-row insert through ``sqlite3`` in WAL mode (bench/ceiling_app.py).

    .venv/bin/python bench/ceilings.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port  # noqa: E402
from bench.load import WRK_DIR, Load, find_wrk, start_server, stop_server, write_requests  # noqa: E402

ENDPOINTS = (
    ("hello", "GET", "/"),
    ("quiz page, bare", "GET", "/quiz-page"),
    ("one-row insert, bare", "POST", "/insert"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    args = parser.parse_args()
    wrk = find_wrk()
    print(
        f"ceilings: wrk -t{args.threads} -c{args.connections} -d{args.duration}s;"
        f" gunicorn -c gunicorn.conf.py, {args.workers} workers; {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="quizapp-ceilings-") as name:
        tmp = Path(name)
        env = {**os.environ, "CEILING_DATABASE": str(tmp / "ceiling.sqlite3")}
        port = free_port()
        server = start_server("bench.ceiling_app:app", env, port, args.workers, tmp / "gunicorn.log")
        try:
            load = Load(wrk, port, server.pid, args.threads, args.connections)
            results = []
            for label, method, path in ENDPOINTS:
                lines = write_requests(tmp / f"{len(results)}.tsv", [(method, path, "", "")], args.threads)
                script, script_args = WRK_DIR / "requests.lua", (lines, args.threads)
                load.run(label, args.warmup, script, script_args, measured=False)
                results.append(load.run(label, args.duration, script, script_args))
        finally:
            stop_server(server)
    hello = results[0].rps
    print("\n| bare app | requests/s | p50 | p99 | × hello | server CPU per request |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.name} | {result.rps:,.0f} | {result.p50_ms:.1f} ms | {result.p99_ms:.1f} ms"
            f" | {result.rps / hello:.2f} | {result.cpu.server_ms_per_request:.2f} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
