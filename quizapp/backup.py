"""Backups of the SQLite database while the app serves it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from quizapp.extensions import db


def backup_sqlite(target: Path) -> int:
    """Copy the app's SQLite database into ``target`` with SQLite's online backup API, which
    copies a consistent snapshot while other connections keep reading and writing. Returns the
    number of pages copied. ``target`` must not exist: it is made readable by its owner only, as
    the database is."""
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    source = db.engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            driver = source.driver_connection
            if not isinstance(driver, sqlite3.Connection):
                raise RuntimeError("only a SQLite database is backed up this way")
            driver.backup(copy, pages=1024)
            pages: int = copy.execute("PRAGMA page_count").fetchone()[0]
            ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if ok != "ok":
        target.unlink(missing_ok=True)
        raise RuntimeError(f"the backup failed its integrity check: {ok}")
    return pages
