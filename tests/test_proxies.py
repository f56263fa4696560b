"""Behind nginx as docs/nginx.conf sets it up (TRUSTED_PROXIES = 1): forms work over HTTPS and the
log has each client's address; without a trusted proxy no header can change either."""

from __future__ import annotations

from tests.factories import ACCESS, access_lines, csrf_token, log_output, register

PUBLIC = "quiz.school.example"
BACKEND = "10.0.0.11:5000"
CLIENT = "203.0.113.7"


def nginx_headers(host_header_passed: bool = True) -> dict[str, str]:
    """The headers docs/nginx.conf adds to a request it passes on (or, ``host_header_passed``
    False, those of a proxy set up without ``proxy_set_header Host`` and X-Forwarded-Host)."""
    headers = {
        "X-Forwarded-For": CLIENT,
        "X-Forwarded-Proto": "https",
        "X-Request-ID": "4f8e1d2c3b4a59687a6b5c4d3e2f1a0b",
    }
    if host_header_passed:
        headers["X-Forwarded-Host"] = PUBLIC
    return headers


def login_through_proxy(client, host: str, headers: dict[str, str]):
    """Log in as 'ada' as a browser at https://PUBLIC/login does, its requests passed on over
    plain HTTP with ``host`` as their Host."""
    base = f"http://{host}"
    page = client.get("/login", base_url=base, headers=headers).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "username": "ada", "password": "a long password"}
    referer = {"Referer": f"https://{PUBLIC}/login"}
    return client.post("/login", base_url=base, headers={**headers, **referer}, data=form, buffered=True)


def test_logging_in_through_nginx_as_documented_works_and_logs_the_clients_address(app, another_app):
    register(app.test_client(), "ada")
    client = another_app(TRUSTED_PROXIES=1).test_client()
    with log_output() as output:
        response = login_through_proxy(client, PUBLIC, nginx_headers())
    assert response.status_code == 302, response.get_data(as_text=True)
    line = access_lines(output)[-1]
    assert line[4] == "4f8e1d2c3b4a59687a6b5c4d3e2f1a0b"  # nginx's $request_id, in both logs
    assert ACCESS.match(line[5]).groups()[:4] == (CLIENT, "POST", "/login", "302")
    home = client.get("/", base_url=f"http://{PUBLIC}", headers=nginx_headers())
    assert "Log out" in home.get_data(as_text=True)


def test_a_proxy_that_passes_the_backends_host_gets_every_form_refused_and_the_log_says_why(app, another_app):
    # nginx's default without `proxy_set_header Host $host`: Host is the upstream's address. The
    # browser's Referer (https://quiz.school.example/...) then never matches the host the app
    # sees, and Flask-WTF refuses every form sent over HTTPS. Not supported: docs/deploy.md.
    register(app.test_client(), "ada")
    client = another_app(TRUSTED_PROXIES=1).test_client()
    with log_output() as output:
        response = login_through_proxy(client, BACKEND, nginx_headers(host_header_passed=False))
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    assert f"form refused: The referrer does not match the host. (host {BACKEND}, https)" in output.getvalue()


def test_without_a_trusted_proxy_a_client_cannot_pose_as_another_address(another_app):
    client = another_app(TRUSTED_PROXIES=0).test_client()
    spoofed = {
        "X-Forwarded-For": "198.51.100.66",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
    }
    with log_output() as output:
        client.get("/login", headers=spoofed, buffered=True)
    (line,) = access_lines(output)
    assert ACCESS.match(line[5])[1] == "127.0.0.1"  # the socket's address
    assert "198.51.100.66" not in output.getvalue()
