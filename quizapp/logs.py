"""The log: every line to standard error, as text or as one JSON object (LOG_FORMAT), each written
during a request tagged with its id; and the access log, one line per request."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from flask import Flask
from flask.logging import default_handler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: The header a request's id comes in (from a trusted proxy) and goes back out in.
REQUEST_ID_HEADER = "X-Request-ID"
#: An id a proxy may pass: short and plain, so it cannot forge or break a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

access_log = logging.getLogger("quizapp.access")
_current_id: ContextVar[str | None] = ContextVar("quizapp_request_id", default=None)


def init_logging(app: Flask) -> None:
    """Write every log line, the app's and its libraries', to standard error as text or JSON
    (LOG_FORMAT) at LOG_LEVEL, and log every request with its id (``AccessLog``)."""
    formatter = FORMATTERS.get(app.config["LOG_FORMAT"])
    if formatter is None:
        raise ValueError(
            f"LOG_FORMAT must be one of {', '.join(FORMATTERS)}, not {app.config['LOG_FORMAT']!r}"
        )
    root = logging.getLogger()
    # One handler of ours per process, however many apps it makes (the tests make one a test).
    for old in [h for h in root.handlers if getattr(h, "quizapp", False)]:
        root.removeHandler(old)
    handler = _Handler()
    handler.addFilter(_tag_request_id)
    handler.setFormatter(formatter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)  # Flask's own would write app lines a second time
    # Flask's documented way to add WSGI middleware, which mypy takes for overwriting a method.
    app.wsgi_app = AccessLog(  # type: ignore[method-assign]
        app.wsgi_app, trust_request_id=int(app.config["TRUSTED_PROXIES"]) > 0
    )


class _Handler(logging.StreamHandler[TextIO]):
    #: Marks the handler as ours: replaced, not added to, when the process makes another app.
    quizapp = True


def request_id() -> str | None:
    """The id of the request being served (None outside one)."""
    return _current_id.get()


def _tag_request_id(record: logging.LogRecord) -> bool:
    rid = _current_id.get()
    if rid and not hasattr(record, "request_id"):
        record.request_id = rid
    return True


def _timestamp(record: logging.LogRecord) -> str:
    """The record's time in ISO 8601 with the machine's offset: unambiguous across hosts."""
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request id] message``, then the traceback if any."""

    def __init__(self) -> None:
        fmt = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        super().__init__(fmt, defaults={"request_id": "-"})  # "-": written outside any request

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _timestamp(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, an access line's fields
    one by one, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {"text": TextFormatter, "json": JsonFormatter}


class AccessLog:
    """WSGI middleware that gives each request an id (a trusted proxy's X-Request-ID, else a new
    one), returns it as X-Request-ID, and logs one line when the response has been sent.

    It sits inside ProxyFix, so the address it logs is the client's as the trusted proxies saw it,
    or the socket's when none is trusted: never a header a client wrote."""

    def __init__(self, app: WSGIApplication, trust_request_id: bool) -> None:
        self.app = app
        self.trust_request_id = trust_request_id

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        rid = self._request_id(environ)
        status = ["500"]  # what the server sends if the app fails before starting a response

        def start(status_line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append((REQUEST_ID_HEADER, rid))
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        def log(size: int) -> None:
            self._log(environ, rid, status[0], size, time.perf_counter() - started)

        token = _current_id.set(rid)
        try:
            body = self.app(environ, start)
        except BaseException:
            log(0)
            raise
        finally:
            _current_id.reset(token)
        return _LoggedBody(body, rid, log)

    def _request_id(self, environ: WSGIEnvironment) -> str:
        given: str = environ.get("HTTP_X_REQUEST_ID", "")
        if self.trust_request_id and SANE_REQUEST_ID.fullmatch(given):
            return given
        return secrets.token_hex(8)

    @staticmethod
    def _log(environ: WSGIEnvironment, rid: str, status: str, size: int, seconds: float) -> None:
        # PATH_INFO is decoded: quoted again so that no client can write a newline or a quote
        # into the log. The query string arrives still encoded.
        path = quote(
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
            safe="/;,:@&=+$!'()*~",
            encoding="latin-1",
        )
        query = environ.get("QUERY_STRING", "")
        if query:
            path += "?" + quote(query, safe="/?;,:@&=+$!'()*~%", encoding="latin-1")
        fields = {
            "client": environ.get("REMOTE_ADDR", "-"),
            "method": quote(environ.get("REQUEST_METHOD", "-"), safe=""),
            "path": path,
            "status": int(status) if status.isdigit() else status,
            "size": size,
            "duration_ms": round(seconds * 1000, 1),
        }
        access_log.info(
            '%(client)s "%(method)s %(path)s" %(status)s %(size)s %(duration_ms)sms',
            fields,
            extra={"request_id": rid, "fields": fields},
        )


class _LoggedBody:
    """A response body that counts the bytes sent and logs the request once, when the body is
    used up or closed (the server closes it; a test client may only read it)."""

    def __init__(self, body: Iterable[bytes], rid: str, log: Callable[[int], None]) -> None:
        self.body, self.rid, self.log = body, rid, log
        self.size = 0
        self.logged = False

    def __iter__(self) -> Iterator[bytes]:
        _current_id.set(self.rid)  # a streamed body may log while it is sent
        try:
            for chunk in self.body:
                self.size += len(chunk)
                yield chunk
        finally:
            _current_id.set(None)
        self._log_once()

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self._log_once()

    def _log_once(self) -> None:
        if not self.logged:
            self.logged = True
            self.log(self.size)
