"""Bank files on disk: names that stay in the folder, writes that never leave half a file, the folder
lock, and the archive."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

import quizapp.banks.files as files
from quizapp.banks.files import (
    PathRefused,
    archive_bank,
    archived_banks,
    atomic_write,
    bank_path,
    folder_lock,
)

BANK = "title: T\nquestions:\n  - {id: a, type: true_false, prompt: P, answer: true}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "questions"
    path.mkdir()
    return path


def names(folder: Path) -> list[str]:
    """Every entry of a folder, hidden ones (temporary files) included."""
    return sorted(os.listdir(folder))


class Clock:
    """Stands in for ``datetime`` in the files module, so archive stamps are chosen by the test."""

    def __init__(self, *moments: datetime):
        self.moments = list(moments)

    def now(self, tz=None) -> datetime:
        return self.moments.pop(0) if len(self.moments) > 1 else self.moments[0]


def at(second: int) -> datetime:
    return datetime(2030, 1, 2, 3, 4, second, tzinfo=UTC)


# --- bank_path -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["csto-2022", "a", "0-intro", "bank-2"])
def test_bank_path_gives_the_yaml_file_of_a_good_slug_inside_the_folder(folder: Path, slug: str):
    assert bank_path(folder, slug) == folder.resolve() / f"{slug}.yaml"


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "../evil",
        "..",
        "a/b",
        "/etc/passwd",
        "%2e%2e",
        "Upper",
        "a b",
        "-lead",
        ".hidden",
        "a.yaml",
        "evil\n",
        "a\\b",
        "caf\u00e9",
    ],
)
def test_bank_path_refuses_a_slug_that_is_not_a_bank_name(folder: Path, slug: str):
    with pytest.raises(PathRefused):
        bank_path(folder, slug)


def test_bank_path_refuses_a_link_to_a_file_outside_the_folder(folder: Path, tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(BANK)
    os.symlink(outside, folder / "leak.yaml")
    with pytest.raises(PathRefused, match="outside"):
        bank_path(folder, "leak")


def test_bank_path_refuses_a_relative_link_climbing_out_of_the_folder(folder: Path, tmp_path: Path):
    (tmp_path / "outside.yaml").write_text(BANK)
    os.symlink("../outside.yaml", folder / "leak.yaml")
    with pytest.raises(PathRefused):
        bank_path(folder, "leak")


def test_bank_path_refuses_a_dangling_link_that_would_write_outside(folder: Path, tmp_path: Path):
    os.symlink(tmp_path / "not-yet.yaml", folder / "leak.yaml")
    with pytest.raises(PathRefused):
        bank_path(folder, "leak")


def test_bank_path_refuses_a_chain_of_links_that_ends_outside(folder: Path, tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(BANK)
    os.symlink(outside, folder / "hop.yaml")
    os.symlink(folder / "hop.yaml", folder / "leak.yaml")
    with pytest.raises(PathRefused):
        bank_path(folder, "leak")


def test_bank_path_accepts_a_link_to_another_file_in_the_folder(folder: Path):
    (folder / "real.yaml").write_text(BANK)
    os.symlink("real.yaml", folder / "alias.yaml")
    path = bank_path(folder, "alias")
    assert path == folder.resolve() / "alias.yaml"
    assert path.read_text() == BANK


def test_bank_path_accepts_an_inside_link_when_the_folder_is_reached_through_a_link(
    folder: Path, tmp_path: Path
):
    (folder / "real.yaml").write_text(BANK)
    os.symlink("real.yaml", folder / "alias.yaml")
    os.symlink(folder, tmp_path / "served")
    assert bank_path(tmp_path / "served", "alias").read_text() == BANK


# --- atomic_write --------------------------------------------------------------------------------


def test_atomic_write_creates_the_file_and_leaves_no_temporary_file(folder: Path):
    target = folder / "bank.yaml"
    atomic_write(target, BANK)
    assert target.read_text() == BANK
    assert names(folder) == ["bank.yaml"]


def test_atomic_write_replaces_the_content_and_leaves_no_temporary_file(folder: Path):
    target = folder / "bank.yaml"
    target.write_text("old text that is longer than the new one\n" * 10)
    atomic_write(target, "new ✓\n")
    assert target.read_bytes() == "new ✓\n".encode()
    atomic_write(target, BANK)
    assert target.read_text() == BANK
    assert names(folder) == ["bank.yaml"]


def test_atomic_write_replaces_the_file_rather_than_writing_into_it(folder: Path):
    """A reader holding the old file keeps reading the old text: the new one is a new file."""
    target = folder / "bank.yaml"
    target.write_text("old\n")
    with open(target) as reader:
        atomic_write(target, "new\n")
        assert reader.read() == "old\n"
    assert target.read_text() == "new\n"


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failed_atomic_write_leaves_the_original_file_and_no_temporary_file(
    folder: Path, monkeypatch, failing: str
):
    target = folder / "bank.yaml"
    target.write_text(BANK)
    before = target.stat()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, failing, broken)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "title: half a file\n")
    monkeypatch.undo()
    assert target.read_text() == BANK
    assert target.stat().st_ino == before.st_ino
    assert names(folder) == ["bank.yaml"]


# --- folder_lock ---------------------------------------------------------------------------------


def test_folder_lock_makes_a_second_thread_wait_until_the_first_releases_it(folder: Path):
    first_holds = threading.Event()
    let_first_go = threading.Event()
    second_holds = threading.Event()
    times: dict[str, float] = {}

    def first():
        with folder_lock(folder):
            first_holds.set()
            let_first_go.wait(10)
            times["first released"] = time.monotonic()

    def second():
        first_holds.wait(10)
        with folder_lock(folder):
            times["second acquired"] = time.monotonic()
            second_holds.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert first_holds.wait(10)
        assert not second_holds.wait(0.3), "the second thread took the lock while the first held it"
    finally:
        let_first_go.set()
        for thread in threads:
            thread.join(10)
    assert second_holds.is_set(), "the second thread never got the lock after the first released it"
    assert times["second acquired"] >= times["first released"]


def test_folder_lock_can_be_taken_again_after_release(folder: Path):
    with folder_lock(folder):
        pass
    done = threading.Event()

    def take():
        with folder_lock(folder):
            done.set()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(5)
    assert done.is_set()


# --- the archive ---------------------------------------------------------------------------------


def test_archive_bank_moves_the_file_into_the_archive_folder(folder: Path):
    (folder / "alpha.yaml").write_text(BANK)
    archived = archive_bank(folder, "alpha")
    assert not (folder / "alpha.yaml").exists()
    assert archived.parent == folder / "archive"
    assert archived.name.startswith("alpha.")
    assert archived.name.endswith(".yaml")
    assert archived.read_text() == BANK
    assert archived_banks(folder) == [("alpha", archived)]


def test_archived_banks_is_empty_without_an_archive_folder(folder: Path):
    assert archived_banks(folder) == []


def test_archived_banks_lists_versions_of_one_bank_newest_first(folder: Path, monkeypatch):
    monkeypatch.setattr(files, "datetime", Clock(at(1), at(2), at(3)))
    paths = []
    for version in ("one", "two", "three"):
        (folder / "alpha.yaml").write_text(f"title: {version}\n")
        paths.append(archive_bank(folder, "alpha"))
    listed = archived_banks(folder)
    assert listed == [("alpha", p) for p in reversed(paths)]
    assert [p.read_text() for _, p in listed] == ["title: three\n", "title: two\n", "title: one\n"]


def test_archived_banks_lists_different_banks_newest_first(folder: Path, monkeypatch):
    monkeypatch.setattr(files, "datetime", Clock(at(1), at(2)))
    (folder / "zeta.yaml").write_text(BANK)
    (folder / "alpha.yaml").write_text(BANK)
    older = archive_bank(folder, "zeta")
    newer = archive_bank(folder, "alpha")
    assert archived_banks(folder) == [("alpha", newer), ("zeta", older)]


def test_archiving_a_bank_twice_in_one_second_keeps_both_archived_copies(folder: Path, monkeypatch):
    monkeypatch.setattr(files, "datetime", Clock(at(7)))
    (folder / "alpha.yaml").write_text("title: first\n")
    first = archive_bank(folder, "alpha")
    (folder / "alpha.yaml").write_text("title: second\n")
    second = archive_bank(folder, "alpha")
    assert first != second, "the second archive took the first one's file name"
    texts = sorted(p.read_text() for _, p in archived_banks(folder))
    assert texts == ["title: first\n", "title: second\n"]


def test_archive_bank_refuses_a_bad_slug_and_moves_nothing(folder: Path, tmp_path: Path):
    (tmp_path / "evil.yaml").write_text(BANK)
    with pytest.raises(PathRefused):
        archive_bank(folder, "../evil")
    assert (tmp_path / "evil.yaml").read_text() == BANK
    assert archived_banks(folder) == []


def test_archived_banks_ignores_links_and_files_that_are_not_archived_banks(folder: Path, tmp_path: Path):
    archive = folder / "archive"
    archive.mkdir()
    (tmp_path / "outside.yaml").write_text("SECRET")
    os.symlink(tmp_path / "outside.yaml", archive / "leak.20300102T030401Z.yaml")
    (archive / "Not-A-Slug.20300102T030401Z.yaml").write_text(BANK)
    (archive / "notes.txt").write_text("x")
    assert archived_banks(folder) == []
