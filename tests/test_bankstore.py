"""One truth for banks: every host serves the database's latest revision, and each host's banks
folder, where instructors edit, follows it. Two hosts here are two apps that share the database
and nothing else (each its own banks folder)."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from textwrap import dedent

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import quizapp.bankstore as bankstore
from quizapp.banks.files import sha256_text
from quizapp.extensions import bank_registry, db
from quizapp.models import BankRevision
from tests.factories import archive_bank, csrf_token, login, make_instructor

GOOD = dedent(
    """\
    title: Version one
    questions:
      - {id: a, type: true_false, prompt: P, answer: true}
    quizzes:
      - {id: q, title: Q, questions: [a]}
    """
)
EDITED = GOOD.replace("Version one", "Version two")
ELSEWHERE = GOOD.replace("Version one", "Version three")
#: Two problems, at lines 3 and 4.
BROKEN = dedent(
    """\
    title: Broken
    questions:
      - {id: a, type: true_false, prompt: P, answer: yes}
      - {id: b, type: numeric, prompt: Q, answer: 12:30}
    """
)


def write(path: Path, text: str) -> None:
    """Replace a file as an editor would, with a modification time of its own."""
    stamp = path.stat().st_mtime_ns + 1_000_000_000 if path.exists() else None
    path.write_text(text)
    if stamp:
        os.utime(path, ns=(stamp, stamp))


def served(app: Flask, slug: str = "csto") -> str | None:
    """The title of the bank ``slug`` as host ``app`` serves it now."""
    with app.app_context():
        bank = bank_registry().get(slug)
        return bank.title if bank else None


def entry(app: Flask, slug: str = "csto"):
    with app.app_context():
        return bank_registry().entry(slug)


def revisions(app: Flask, slug: str = "csto") -> list[tuple[int | None, str, str]]:
    """(number, action, title line) of each revision of ``slug``, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(BankRevision).where(BankRevision.bank_slug == slug).order_by("id"))
        return [(r.seq, r.action, r.text.splitlines()[0]) for r in rows]


@pytest.fixture
def host_a(app: Flask, banks_dir: Path) -> Flask:
    (banks_dir / "csto.yaml").write_text(GOOD)
    return app


@pytest.fixture
def host_b(another_app, tmp_path: Path) -> Flask:
    """A second host on the same database, with a banks folder of its own, empty."""
    folder = tmp_path / "host-b"
    folder.mkdir()
    return another_app(BANKS_DIR=str(folder))


def folder(host: Flask) -> Path:
    return Path(host.config["BANKS_DIR"])


# -- one host --------------------------------------------------------------------------------------


def test_a_bank_found_on_disk_is_kept_as_its_first_revision_and_parsed_once(host_a):
    with host_a.app_context():
        first = bank_registry().get("csto")
        assert bank_registry().get("csto") is first
    assert first.title == "Version one"
    assert revisions(host_a) == [(1, "disk", "title: Version one")]


def test_an_edit_in_an_editor_is_served_at_the_next_request_and_kept_as_a_revision(host_a, banks_dir):
    assert served(host_a) == "Version one"
    write(banks_dir / "csto.yaml", EDITED)
    assert served(host_a) == "Version two"
    assert entry(host_a).problems == []
    assert revisions(host_a) == [(1, "disk", "title: Version one"), (2, "disk", "title: Version two")]


def test_an_edit_that_breaks_the_file_keeps_the_last_saved_version_served_until_it_is_fixed(
    host_a, banks_dir
):
    assert served(host_a) == "Version one"
    write(banks_dir / "csto.yaml", BROKEN)
    broken = entry(host_a)
    assert broken.bank.title == "Version one"
    assert [p.line for p in broken.problems] == [3, 4]
    assert "'yes'" in broken.problems[0].message
    assert len(revisions(host_a)) == 1  # a broken text is never a revision

    write(banks_dir / "csto.yaml", EDITED)
    fixed = entry(host_a)
    assert (fixed.bank.title, fixed.problems) == ("Version two", [])


def test_a_bank_broken_from_the_start_is_listed_but_not_served_and_its_neighbour_is(host_a, banks_dir):
    (banks_dir / "broken.yaml").write_text(BROKEN)
    with host_a.app_context():
        entries = {e.slug: e for e in bank_registry().entries()}
        assert [b.slug for b in bank_registry().banks()] == ["csto", "every-type"]
    assert entries["broken"].bank is None
    assert [p.line for p in entries["broken"].problems] == [3, 4]
    assert revisions(host_a, "broken") == []


def test_a_file_removed_by_hand_is_written_back_and_archiving_takes_a_bank_out(host_a, banks_dir):
    assert served(host_a) == "Version one"
    (banks_dir / "csto.yaml").unlink()
    assert served(host_a) == "Version one"
    assert (banks_dir / "csto.yaml").read_text() == GOOD

    archive_bank(host_a, "csto")
    assert served(host_a) is None
    assert not (banks_dir / "csto.yaml").exists()
    assert [p.name.split(".")[0] for p in (banks_dir / "archive").iterdir()] == ["csto"]


@pytest.mark.parametrize("slug", ["../etc/passwd", "Bad", "csto.yaml", "", "-csto", "csto/../csto"])
def test_a_name_that_is_not_a_slug_is_never_looked_up(host_a, banks_dir, slug):
    (banks_dir / "Bad.yaml").write_text(GOOD)
    assert served(host_a, slug) is None
    assert entry(host_a, slug) is None


def test_a_file_whose_name_is_not_a_slug_is_listed_with_its_problem_and_never_saved(host_a, banks_dir):
    (banks_dir / "Bad_Name.yaml").write_text(GOOD)
    with host_a.app_context():
        entries = {e.slug: e for e in bank_registry().entries()}
    assert entries["Bad_Name"].bank is None
    assert "slug" in entries["Bad_Name"].problems[0].message
    assert revisions(host_a, "Bad_Name") == []


def test_a_host_checks_for_saves_elsewhere_at_most_every_bank_check_seconds(host_a, banks_dir, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(bankstore.time, "monotonic", lambda: clock[0])
    with host_a.app_context():
        store = bank_registry()
        store.check_seconds = 2
        assert store.get("csto").title == "Version one"
        write(banks_dir / "csto.yaml", EDITED)
        clock[0] += 1
        assert store.get("csto").title == "Version one"  # checked a second ago
        clock[0] += 1.5
        assert store.get("csto").title == "Version two"


# -- two hosts ------------------------------------------------------------------------------------


def test_a_new_host_serves_the_banks_of_the_database_and_writes_them_into_its_folder(host_a, host_b):
    assert served(host_a) == "Version one"
    assert served(host_b) == "Version one"
    assert (folder(host_b) / "csto.yaml").read_text() == GOOD
    assert json.loads((folder(host_b) / ".synced.json").read_text())["csto"] == sha256_text(GOOD)


def test_a_save_in_the_browser_on_one_host_is_served_by_the_other_and_written_to_its_folder(host_a, host_b):
    assert served(host_a) == served(host_b) == "Version one"
    prof = instructor_on(host_a, "prof", admin=True)
    assert save_in_editor(prof, EDITED).status_code == 302
    assert served(host_b) == "Version two"
    assert (folder(host_b) / "csto.yaml").read_text() == EDITED
    assert (folder(host_a) / "csto.yaml").read_text() == EDITED


def test_an_edit_of_one_hosts_file_becomes_the_latest_revision_for_every_host(host_a, host_b):
    assert served(host_a) == served(host_b) == "Version one"
    write(folder(host_b) / "csto.yaml", EDITED)
    assert served(host_b) == "Version two"
    assert served(host_a) == "Version two"
    assert (folder(host_a) / "csto.yaml").read_text() == EDITED


def test_a_file_edited_while_another_host_saved_is_listed_as_a_conflict_and_never_saved_over_it(
    host_a, host_b
):
    """Both hosts hold version one; host A's file is edited in an editor, and before host A looks
    at it, host B's instructor saves version three in the browser."""
    assert served(host_a) == served(host_b) == "Version one"
    write(folder(host_a) / "csto.yaml", EDITED)
    other = instructor_on(host_b, "bob", admin=True)
    assert save_in_editor(other, ELSEWHERE).status_code == 302

    assert served(host_a) == served(host_b) == "Version three"
    conflict = entry(host_a)
    assert "newer version was saved" in conflict.problems[0].message
    assert (folder(host_a) / "csto.yaml").read_text() == EDITED  # the edit is kept, not replaced
    assert entry(host_b).problems == []
    assert [r[2] for r in revisions(host_a)] == ["title: Version one", "title: Version three"]

    # Host A's instructor sees it on the banks page, opens the file's text in the editor, merges
    # and saves: the merged text is the latest version, and host A's file is it again.
    prof = instructor_on(host_a, "prof", admin=True)
    assert "newer version was saved" in prof.get("/teach/banks/").get_data(as_text=True)
    page = prof.get("/teach/banks/csto/edit").get_data(as_text=True)
    assert "Version two" in page
    merged = EDITED.replace("Version two", "Version two and three")
    assert save_in_editor(prof, merged, page=page).status_code == 302
    assert served(host_a) == served(host_b) == "Version two and three"
    assert (folder(host_a) / "csto.yaml").read_text() == merged
    assert (folder(host_b) / "csto.yaml").read_text() == merged
    assert entry(host_a).problems == []


def test_deleting_a_conflicting_file_takes_the_saved_version(host_a, host_b):
    assert served(host_a) == served(host_b) == "Version one"
    write(folder(host_a) / "csto.yaml", EDITED)
    write(folder(host_b) / "csto.yaml", ELSEWHERE)
    assert served(host_b) == "Version three"
    assert entry(host_a).problems
    (folder(host_a) / "csto.yaml").unlink()
    assert entry(host_a).problems == []
    assert (folder(host_a) / "csto.yaml").read_text() == ELSEWHERE


def test_two_browser_saves_from_the_same_version_on_two_hosts_one_is_refused_with_a_diff(host_a, host_b):
    prof = instructor_on(host_a, "prof", admin=True)
    bob = instructor_on(host_b, "bob", admin=True)
    page_a = prof.get("/teach/banks/csto/edit").get_data(as_text=True)
    page_b = bob.get("/teach/banks/csto/edit").get_data(as_text=True)
    assert save_in_editor(prof, EDITED, page=page_a).status_code == 302
    refused = save_in_editor(bob, ELSEWHERE, page=page_b)
    assert refused.status_code == 409
    assert "-title: Version two" in refused.get_data(as_text=True)
    assert served(host_a) == served(host_b) == "Version two"


def test_a_broken_edit_on_one_host_is_listed_there_and_every_host_serves_the_saved_version(host_a, host_b):
    assert served(host_a) == served(host_b) == "Version one"
    write(folder(host_b) / "csto.yaml", BROKEN)
    assert entry(host_b).problems
    assert entry(host_a).problems == []
    assert served(host_a) == served(host_b) == "Version one"
    assert (folder(host_a) / "csto.yaml").read_text() == GOOD


def test_a_bank_archived_on_one_host_leaves_every_host_and_its_folder(host_a, host_b):
    assert served(host_a) == served(host_b) == "Version one"
    archive_bank(host_a, "csto")
    assert served(host_b) is None
    assert not (folder(host_b) / "csto.yaml").exists()
    assert [p.name.split(".")[0] for p in (folder(host_b) / "archive").iterdir()] == ["csto"]


def test_two_hosts_finding_the_same_new_file_at_once_keep_one_revision(host_a, host_b, monkeypatch):
    """Both hosts read the heads (none), then both try to save the file found on disk: a barrier
    holds each one between the two, so that they always race."""
    (folder(host_b) / "csto.yaml").write_text(GOOD)
    barrier = threading.Barrier(2, timeout=10)
    real = bankstore.BankStore._settle_folder

    waited: set[threading.Thread] = set()

    def racing(self, connection):
        if threading.current_thread() not in waited | {threading.main_thread()}:
            waited.add(threading.current_thread())
            barrier.wait()  # the first pass of each host only
        return real(self, connection)

    monkeypatch.setattr(bankstore.BankStore, "_settle_folder", racing)
    errors: list[BaseException] = []

    def look(host: Flask) -> None:
        try:
            served(host)
        except BaseException as exc:  # reported below: a thread's error is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=look, args=(host,)) for host in (host_a, host_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert revisions(host_a) == [(1, "disk", "title: Version one")]
    assert served(host_a) == served(host_b) == "Version one"


def test_a_new_file_on_a_running_host_that_another_host_made_first_is_a_conflict(host_a, host_b):
    assert served(host_a) == served(host_b) == "Version one"  # both hosts in step
    (folder(host_a) / "fresh.yaml").write_text(EDITED)
    (folder(host_b) / "fresh.yaml").write_text(ELSEWHERE)
    assert served(host_a, "fresh") == "Version two"
    assert served(host_b, "fresh") == "Version two"
    assert "newer version was saved" in entry(host_b, "fresh").problems[0].message
    assert (folder(host_b) / "fresh.yaml").read_text() == ELSEWHERE


# -- helpers ----------------------------------------------------------------------------------------


def instructor_on(host: Flask, username: str, admin: bool = False) -> FlaskClient:
    """A logged-in instructor (an admin edits site banks, which these are) on ``host``."""
    make_instructor(host, username)
    if admin:
        result = host.test_cli_runner().invoke(args=["users", "set-role", username, "admin"])
        assert result.exit_code == 0, result.output
    client = host.test_client()
    assert login(client, username).status_code == 302
    return client


def save_in_editor(client: FlaskClient, text: str, page: str | None = None):
    """Save ``text`` through the editor, from ``page`` as it opened (default: open it now)."""
    page = page or client.get("/teach/banks/csto/edit").get_data(as_text=True)
    hidden = dict(re.findall(r'<input[^>]*name="(base|disk)"[^>]*value="([^"]*)"', page))
    form = {"csrf_token": csrf_token(page), "text": text, "action": "save", **hidden}
    return client.post("/teach/banks/csto/edit", data=form)
