"""The log an operator reads: one access line per request with its time, client, request and id;
the id on every line a request writes; JSON on request; tracebacks in the log, never on the page."""

from __future__ import annotations

import json
import re

import pytest

from quizapp import create_app
from tests.factories import ACCESS, TEXT_LINE, access_lines, log_output


def test_every_request_is_logged_with_its_time_client_request_status_size_duration_and_id(another_app):
    client = another_app().test_client()
    with log_output() as output:
        response = client.get("/login?next=%2F", buffered=True)
    (line,) = access_lines(output)
    when, level, _, rid, message = line.groups()
    client_address, method, path, status, size, _duration = ACCESS.match(message).groups()
    assert (level, client_address, method, path, status) == (
        "INFO",
        "127.0.0.1",
        "GET",
        "/login?next=%2F",
        "200",
    )
    assert int(size) == len(response.get_data())
    assert rid == response.headers["X-Request-ID"]


def test_a_path_cannot_write_a_line_of_its_own_into_the_log(another_app):
    client = another_app().test_client()
    with log_output() as output:
        client.get(
            '/no%0A2030-01-01T00:00:00.000+00:00 INFO quizapp.access [x] 6.6.6.6 "GET /" 200', buffered=True
        )
    assert len(output.getvalue().splitlines()) == 1
    assert "6.6.6.6" in access_lines(output)[0][5]  # inside the one line's path, quoted


def test_every_line_a_request_writes_carries_its_id(another_app):
    app = another_app()
    client = app.test_client()
    with log_output() as output:
        response = client.post(
            "/login", data={"csrf_token": "forged", "username": "a", "password": "b"}, buffered=True
        )
    assert response.status_code == 400
    rid = response.headers["X-Request-ID"]
    lines = [TEXT_LINE.match(line) for line in output.getvalue().splitlines()]
    assert {line[4] for line in lines} == {rid}  # Flask-WTF's line, the app's, the access line
    assert any(line[3] == "quizapp" and "form refused" in line[5] for line in lines)
    assert lines[-1][3] == "quizapp.access"


def test_each_request_gets_its_own_id_and_a_client_cannot_choose_it(another_app):
    client = another_app().test_client()
    ids = {
        client.get("/healthz", headers={"X-Request-ID": "chosen-by-client"}).headers["X-Request-ID"]
        for _ in range(3)
    }
    assert len(ids) == 3
    assert "chosen-by-client" not in ids


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("9f1c2a7e0b6d4e1f8a3b5c7d9e0f1a2b", True), ("a b", False), ("x" * 65, False), ('"><script>', False)],
)
def test_a_trusted_proxys_request_id_is_kept_when_it_is_a_plain_short_id(another_app, sent, kept):
    client = another_app(TRUSTED_PROXIES=1).test_client()
    given = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (given == sent) is kept
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", given)


def test_json_logs_are_one_object_a_line_with_the_access_fields_apart(another_app):
    client = another_app(LOG_FORMAT="json").test_client()
    with log_output() as output:
        client.post("/login", data={"csrf_token": "forged"}, buffered=True)
        response = client.get("/login", buffered=True)
    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    refused = next(line for line in lines if line["logger"] == "quizapp")
    first, second = (line for line in lines if line["logger"] == "quizapp.access")
    assert refused["logger"] == "quizapp"
    assert refused["level"] == "WARNING"
    assert "form refused" in refused["message"]
    assert refused["request_id"] == first["request_id"] != second["request_id"]
    assert second["request_id"] == response.headers["X-Request-ID"]
    assert {k: second[k] for k in ("logger", "level", "client", "method", "path", "status", "size")} == {
        "logger": "quizapp.access",
        "level": "INFO",
        "client": "127.0.0.1",
        "method": "GET",
        "path": "/login",
        "status": 200,
        "size": len(response.get_data()),
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d", second["time"])
    assert isinstance(second["duration_ms"], float)


def test_an_error_in_a_page_shows_a_plain_page_with_the_request_id_and_logs_the_traceback(another_app):
    app = another_app(PROPAGATE_EXCEPTIONS=False)

    def broken():
        raise RuntimeError("the secret detail of a bug")

    app.add_url_rule("/broken", view_func=broken)
    with log_output() as output:
        response = app.test_client().get("/broken", buffered=True)
    page = response.get_data(as_text=True)
    rid = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert rid in page
    assert "secret detail" not in page
    assert "Traceback" not in page
    assert "RuntimeError" not in page
    log = output.getvalue()
    assert f"ERROR quizapp [{rid}] Exception on /broken [GET]" in log
    assert "Traceback" in log
    assert "RuntimeError: the secret detail of a bug" in log
    assert ACCESS.match(access_lines(output)[0][5])[4] == "500"


def test_a_traceback_in_json_logs_stays_inside_its_line(another_app):
    app = another_app(PROPAGATE_EXCEPTIONS=False, LOG_FORMAT="json")

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", view_func=broken)
    with log_output() as output:
        app.test_client().get("/broken", buffered=True)
    error, access = (json.loads(line) for line in output.getvalue().splitlines())
    assert error["level"] == "ERROR"
    assert "RuntimeError: boom" in error["traceback"]
    assert (access["status"], access["request_id"]) == (500, error["request_id"])


def test_many_apps_in_one_process_write_each_line_once(another_app):
    for _ in range(3):
        client = another_app().test_client()
    with log_output() as output:
        client.get("/healthz", buffered=True)
    assert len(output.getvalue().splitlines()) == 1


def test_an_unknown_log_format_stops_the_app_at_start_up():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app(
            {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_FORMAT": "xml"}
        )
