"""The previous release's code runs on the schema this code migrates to: a rolling upgrade can move
hosts one at a time while the others go on serving (docs/migrations.md)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, BankRevision, CardReview, SiteSetting
from quizapp.schema import OLDEST_CODE, schema_status
from tests.factories import DATA, ROOT

#: The commit of the release before this one.
PREVIOUS_RELEASE = "a967a73"
VISIT = DATA / "previous_release_visit.py"


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=False)  # noqa: S603, S607


@pytest.fixture
def previous_release(tmp_path: Path) -> Path:
    """The previous release's tree, from this clone's history."""
    if git("cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}").returncode != 0:
        message = (
            f"the previous release (commit {PREVIOUS_RELEASE}) is not in this clone, so its code cannot be "
            "run on the new schema: fetch the full history (git fetch --unshallow)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    tree = tmp_path / "previous"
    with tarfile.open(fileobj=io.BytesIO(git("archive", PREVIOUS_RELEASE).stdout)) as archive:
        archive.extractall(tree, filter="data")
    return tree


def test_the_previous_release_serves_learners_and_instructors_on_the_new_schema(
    app, previous_release, banks_dir
):
    with app.app_context():
        assert schema_status().servable  # migrated to this code's head
        oldest = db.session.get(SiteSetting, OLDEST_CODE).value
    ScriptDirectory(str(previous_release / "migrations")).get_revision(oldest)  # it knows the oldest

    completed = subprocess.run(  # noqa: S603 - this interpreter and a file of the tests
        [sys.executable, str(VISIT), app.config["SQLALCHEMY_DATABASE_URI"], str(banks_dir)],
        cwd=previous_release,
        env={**os.environ, "PYTHONPATH": str(previous_release)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip() == str(previous_release / "quizapp" / "__init__.py")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        reviews = db.session.scalar(select(func.count()).select_from(CardReview))
        saved = db.session.scalar(select(BankRevision).order_by(BankRevision.id.desc()))
        author = saved.author.username
    assert attempt.submitted_at is not None
    assert attempt.score == attempt.max_score
    assert reviews == 1
    assert (saved.action, author, saved.seq) == ("save", "prof", None)
    assert "Saved by the previous release." in (banks_dir / "every-type.yaml").read_text()
