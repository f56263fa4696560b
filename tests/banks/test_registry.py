"""The banks folder as the app serves it: parsed once, re-read on change, last good version kept."""

from __future__ import annotations

import os
from pathlib import Path
from textwrap import dedent

import pytest

import quizapp.banks.registry as registry_module
from quizapp.banks import BankRegistry

GOOD = """\
title: Version one
questions:
  - {id: a, type: true_false, prompt: P, answer: true}
"""

EDITED = """\
title: Version two
questions:
  - {id: a, type: true_false, prompt: P, answer: true}
  - {id: b, type: numeric, prompt: Q, answer: 1992}
"""

#: Two problems, at lines 3 and 4.
BROKEN = """\
title: Version three
questions:
  - {id: a, type: true_false, prompt: P, answer: yes}
  - {id: b, type: numeric, prompt: Q, answer: 12:30}
"""


def write(path: Path, text: str, mtime: int) -> None:
    """Replace a file's content and give it a distinct modification time, as an editor would."""
    path.write_text(dedent(text))
    os.utime(path, (mtime, mtime))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path / "csto.yaml", GOOD, 1_000_000)
    return tmp_path


@pytest.fixture
def loads(monkeypatch) -> list[Path]:
    """Every path the registry hands to load_bank, in order."""
    calls: list[Path] = []
    real = registry_module.load_bank

    def counting(path, *args, **kwargs):
        calls.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(registry_module, "load_bank", counting)
    return calls


def test_a_bank_is_parsed_once_and_then_served_from_memory(folder, loads):
    registry = BankRegistry(folder)
    first = registry.get("csto")
    second = registry.get("csto")
    assert first is not None
    assert first.title == "Version one"
    assert second is first
    assert registry.banks() == [first]
    assert loads == [folder / "csto.yaml"]


def test_an_edited_file_is_served_in_its_new_version_without_a_restart(folder, loads):
    registry = BankRegistry(folder)
    assert registry.get("csto").title == "Version one"

    write(folder / "csto.yaml", EDITED, 2_000_000)
    bank = registry.get("csto")

    assert bank.title == "Version two"
    assert list(bank.questions) == ["a", "b"]
    assert registry.entry("csto").problems == []
    assert len(loads) == 2


def test_an_edit_that_breaks_the_file_keeps_the_last_good_version_until_it_is_fixed(folder):
    registry = BankRegistry(folder)
    good = registry.get("csto")

    write(folder / "csto.yaml", BROKEN, 2_000_000)
    entry = registry.entry("csto")
    assert entry.bank is good
    assert registry.get("csto") is good
    assert [p.line for p in entry.problems] == [3, 4]
    assert "'yes'" in entry.problems[0].message
    assert "'12:30'" in entry.problems[1].message

    write(folder / "csto.yaml", EDITED, 3_000_000)
    entry = registry.entry("csto")
    assert entry.bank.title == "Version two"
    assert entry.problems == []


def test_a_bank_broken_from_the_start_is_not_served_but_a_valid_neighbour_is(folder):
    write(folder / "broken.yaml", BROKEN, 1_000_000)
    registry = BankRegistry(folder)

    assert registry.get("broken") is None
    assert registry.get("csto").title == "Version one"
    assert [bank.slug for bank in registry.banks()] == ["csto"]

    entries = registry.entries()
    assert [e.slug for e in entries] == ["broken", "csto"]
    broken, valid = entries
    assert broken.bank is None
    assert [p.line for p in broken.problems] == [3, 4]
    assert valid.problems == []


def test_a_deleted_file_disappears(folder):
    write(folder / "other.yaml", EDITED, 1_000_000)
    registry = BankRegistry(folder)
    assert [e.slug for e in registry.entries()] == ["csto", "other"]

    (folder / "other.yaml").unlink()

    assert [e.slug for e in registry.entries()] == ["csto"]
    assert registry.get("other") is None
    assert registry.entry("other") is None


def test_a_deleted_file_is_no_longer_served_by_slug_either(folder):
    registry = BankRegistry(folder)
    assert registry.get("csto") is not None

    (folder / "csto.yaml").unlink()

    assert registry.get("csto") is None
    assert registry.entries() == []


@pytest.mark.parametrize("slug", ["../etc/passwd", "Bad", "csto.yaml", "", "-csto", "csto/../csto"])
def test_a_name_that_is_not_a_slug_is_never_looked_up(folder, loads, slug):
    (folder / "Bad.yaml").write_text(dedent(GOOD))
    registry = BankRegistry(folder)
    assert registry.get(slug) is None
    assert registry.entry(slug) is None
    assert loads == []


def test_a_file_whose_name_is_not_a_slug_is_listed_with_its_problem(folder):
    (folder / "Bad_Name.yaml").write_text(dedent(GOOD))
    registry = BankRegistry(folder)

    entries = {e.slug: e for e in registry.entries()}

    assert entries["Bad_Name"].bank is None
    assert "slug" in entries["Bad_Name"].problems[0].message
    assert [bank.slug for bank in registry.banks()] == ["csto"]


def test_a_missing_folder_has_no_banks(tmp_path):
    registry = BankRegistry(tmp_path / "nowhere")
    assert registry.entries() == []
    assert registry.banks() == []
    assert registry.get("csto") is None
