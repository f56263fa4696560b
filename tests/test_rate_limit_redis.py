"""Rate limits kept in Redis, as several hosts share them (docs/deploy.md): a real redis-server on
loopback (the ``redis_url`` fixture)."""

from __future__ import annotations

import redis

from tests.factories import csrf_token, register


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
