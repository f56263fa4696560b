"""The ceiling for bench/load.py: a Flask app with one route that answers "hello".

Served by the same gunicorn settings as quizapp: ``gunicorn -c gunicorn.conf.py bench.bare_app:app``.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
