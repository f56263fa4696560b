"""What a load balancer's probes see: /healthz answers while the process runs; /readyz answers
"ready" only while the host can serve, and keeps the reason for the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest


def test_a_healthy_host_is_live_and_ready(client):
    live, ready = client.get("/healthz"), client.get("/readyz")
    assert (live.status_code, live.get_data(as_text=True)) == (200, "ok\n")
    assert (ready.status_code, ready.get_data(as_text=True)) == (200, "ready\n")
    for response in (live, ready):
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_browser_gets_the_same_answer(student):
    assert student.get("/readyz").get_data(as_text=True) == "ready\n"


@pytest.mark.parametrize(
    "database",
    [
        "sqlite:///{tmp}/no-such-folder/quizapp.sqlite3",
        "postgresql+psycopg://quiz@127.0.0.1:1/quiz",  # a closed port: the server is down
    ],
)
def test_a_host_whose_database_is_unreachable_is_live_but_not_ready(another_app, tmp_path, caplog, database):
    app = another_app(SQLALCHEMY_DATABASE_URI=database.format(tmp=tmp_path))
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="quizapp"):
        ready = client.get("/readyz")
    assert (ready.status_code, ready.get_data(as_text=True)) == (503, "not ready\n")
    assert "not ready: database unreachable: OperationalError" in caplog.text
    assert client.get("/healthz").status_code == 200


def test_a_database_not_yet_migrated_is_not_ready(another_app, tmp_path: Path, caplog):
    client = another_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.sqlite3'}").test_client()
    with caplog.at_level(logging.INFO, logger="quizapp"):
        ready = client.get("/readyz")
    assert (ready.status_code, ready.get_data(as_text=True)) == (503, "not ready\n")
    assert "not ready: database schema at no revision, this code needs" in caplog.text
    assert client.get("/healthz").status_code == 200


def test_banks_that_fail_to_load_make_the_host_not_ready(app, client, caplog):
    class Broken:
        def entries(self):
            raise OSError("the banks share is not mounted")

    app.extensions["quizapp.banks"] = Broken()
    with caplog.at_level(logging.INFO, logger="quizapp"):
        ready = client.get("/readyz")
    assert (ready.status_code, ready.get_data(as_text=True)) == (503, "not ready\n")
    assert "banks not loaded: OSError: the banks share is not mounted" in caplog.text


def test_the_log_says_when_a_host_stops_and_starts_being_ready_not_at_every_probe(app, client, caplog):
    registry = app.extensions["quizapp.banks"]

    class Broken:
        def entries(self):
            raise OSError("unmounted")

    with caplog.at_level(logging.INFO, logger="quizapp"):
        client.get("/readyz")
        app.extensions["quizapp.banks"] = Broken()
        for _ in range(3):
            client.get("/readyz")
        app.extensions["quizapp.banks"] = registry
        client.get("/readyz")
    said = [r.getMessage() for r in caplog.records if r.name == "quizapp"]
    assert said == ["ready", "not ready: banks not loaded: OSError: unmounted", "ready"]
