"""Rate limits kept in Redis, as several hosts share them (docs/deploy.md): a real redis-server on
loopback, started here. Without redis-server the test is skipped, unless QUIZAPP_REQUIRE_REDIS=1
(as in CI, .ci/run) makes that a failure."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from tests.factories import csrf_token, register

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    if not os.path.exists(REDIS_SERVER):
        message = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("QUIZAPP_REQUIRE_REDIS") == "1":
            pytest.fail(message + "; QUIZAPP_REQUIRE_REDIS=1 makes this an error")
        pytest.skip(message)
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(  # noqa: S603 - a fixed local binary with fixed arguments
        [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def guess(client, username: str = "ada"):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username, "password": "wrong guess"})


def test_guesses_counted_on_one_host_are_refused_on_another(app, another_app, redis_url):
    def host():
        """Another app, as on another host: its own process memory, the same Redis."""
        return another_app(RATELIMIT_STORAGE_URI=redis_url, LOGIN_RATE_LIMIT="4 per minute")

    first = host()
    register(app.test_client(), "ada")
    client = first.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.50"

    assert [guess(client).status_code for _ in range(4)] == [422] * 4
    # A second host starts with an empty memory; its limiter reads the same count from Redis.
    second = host()
    other = second.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.50"

    assert guess(other).status_code == 429
    neighbour = second.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "203.0.113.51"
    assert guess(neighbour).status_code == 422
    keys = redis.Redis.from_url(redis_url).keys("*")
    assert any(b"203.0.113.50" in key for key in keys)
