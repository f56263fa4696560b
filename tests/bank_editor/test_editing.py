"""quizapp.bank_editor.operations, the operations behind the bank editor, called directly: a save makes a new
revision that every host serves; invalid text, and a save over a newer version, are refused with
nothing saved; new banks, restores, and the archive and back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.accounts.operations import account_named
from quizapp.bank_editor import operations as editing
from quizapp.bank_editor.operations import SaveConflict, SaveInvalid
from quizapp.banks.files import PathRefused, archived_banks
from quizapp.extensions import bank_registry, db
from quizapp.models import BankMember, BankRevision, User
from tests.factories import EVERY_TYPE_BANK, own, redescribe, sha

#: every-type.yaml with a problem: the key of its single-choice question is not one of its choices.
BROKEN = EVERY_TYPE_BANK.replace("answer: Astana", "answer: Somewhere else")


@pytest.fixture
def prof(app, auth) -> User:
    """Instructor prof, who edits; the test runs inside an app context, as a request would."""
    auth.make_instructor("prof")
    with app.app_context():
        yield account_named("prof")


def revision_count(slug: str = "every-type") -> int:
    return db.session.scalar(
        select(func.count()).select_from(BankRevision).where(BankRevision.bank_slug == slug)
    )


def served_description(slug: str = "every-type") -> str | None:
    bank = bank_registry().get(slug)
    return bank.description if bank else None


def opened(slug: str = "every-type") -> editing.BankFile:
    bank_file = editing.open_bank(slug)
    assert bank_file is not None, f"bank {slug!r} does not open"
    return bank_file


# --- opening and checking ------------------------------------------------------------------------


def test_a_bank_opens_at_its_latest_version_with_that_versions_hash(prof, banks_dir):
    bank_file = opened()

    assert bank_file.text == EVERY_TYPE_BANK
    assert bank_file.sha256 == sha(EVERY_TYPE_BANK)
    assert bank_file.path == banks_dir / "every-type.yaml"
    assert bank_file.disk_sha256 is None


def test_a_bank_that_does_not_exist_opens_as_none(prof):
    assert editing.open_bank("no-such-bank") is None


def test_a_broken_edit_on_disk_opens_in_place_of_the_served_version(prof, banks_dir):
    opened()
    (banks_dir / "every-type.yaml").write_text(BROKEN)

    bank_file = opened()

    assert bank_file.text == BROKEN
    assert bank_file.disk_sha256 == sha(BROKEN)
    assert bank_file.sha256 == sha(EVERY_TYPE_BANK)  # a save is checked against the served version
    assert served_description() == "One question of each type, for tests."


def test_check_text_lists_each_problem_with_its_line_and_only_warnings_for_good_text(prof):
    # every-type's one answer leak: match-q offers Belarus, a right choice of multi-q.
    [warning] = editing.check_text("every-type", EVERY_TYPE_BANK)
    assert warning.severity == "warning"
    assert "'Belarus' of question 'match-q' is the answer of question 'multi-q'" in warning.message
    clean = EVERY_TYPE_BANK.replace("Lukashenko: Belarus", "Lukashenko: Minsk")
    assert editing.check_text("every-type", clean) == []
    [problem] = editing.check_text("every-type", BROKEN)
    assert problem.line == BROKEN.splitlines().index("    answer: Somewhere else") + 1
    assert "not one of its choices" in problem.message


# --- saving --------------------------------------------------------------------------------------


def test_saving_valid_text_makes_a_new_revision_that_is_served_and_written_to_the_file(prof, banks_dir):
    before = opened()
    text = redescribe("Saved by prof.")(before.text)

    revision = editing.save_bank("every-type", text, before.sha256, prof)

    assert (revision.action, revision.author_id, revision.text) == ("save", prof.id, text)
    assert revision.sha256 == sha(text)
    assert editing.revisions("every-type")[0].id == revision.id
    assert served_description() == "Saved by prof."
    assert (banks_dir / "every-type.yaml").read_text() == text
    assert opened().sha256 == sha(text)


def test_a_save_ends_the_text_with_a_newline_and_turns_windows_line_endings_into_unix_ones(prof):
    before = opened()
    text = redescribe("Saved by prof.")(before.text).rstrip("\n").replace("\n", "\r\n")

    revision = editing.save_bank("every-type", text, before.sha256, prof)

    assert "\r" not in revision.text
    assert revision.text == redescribe("Saved by prof.")(EVERY_TYPE_BANK)


def test_saving_the_same_text_again_makes_no_new_revision(prof):
    before = opened()
    count = revision_count()

    revision = editing.save_bank("every-type", before.text, before.sha256, prof)

    assert revision_count() == count
    assert revision.id == editing.latest_revision("every-type").id


def test_invalid_text_is_refused_with_its_problems_and_nothing_is_saved(prof, banks_dir):
    before = opened()
    count = revision_count()
    broken = before.text.replace("answer: 98765.4321", "answer: 12:30")

    with pytest.raises(SaveInvalid) as refused:
        editing.save_bank("every-type", broken, before.sha256, prof)

    assert [p.line for p in refused.value.problems] == [broken.splitlines().index("    answer: 12:30") + 1]
    assert revision_count() == count
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK
    assert served_description() == "One question of each type, for tests."


def test_saving_over_a_newer_revision_raises_the_conflict_with_the_newer_text_and_saves_nothing(prof):
    opened_by_both = opened()
    theirs = redescribe("Saved first.")(opened_by_both.text)
    editing.save_bank("every-type", theirs, opened_by_both.sha256, prof)
    count = revision_count()

    with pytest.raises(SaveConflict) as refused:
        editing.save_bank(
            "every-type", redescribe("Saved second.")(opened_by_both.text), opened_by_both.sha256, prof
        )

    assert refused.value.current_text == theirs
    assert revision_count() == count
    assert served_description() == "Saved first."


def test_saving_over_an_edit_made_on_disk_since_the_editor_opened_is_a_conflict(prof, banks_dir):
    before = opened()
    on_disk = redescribe("Edited on disk.")(EVERY_TYPE_BANK)
    (banks_dir / "every-type.yaml").write_text(on_disk)

    with pytest.raises(SaveConflict) as refused:
        editing.save_bank("every-type", redescribe("Saved by prof.")(before.text), before.sha256, prof)

    assert refused.value.current_text == on_disk
    assert (banks_dir / "every-type.yaml").read_text() == on_disk


def test_saving_a_bank_as_new_where_one_exists_is_a_conflict(prof):
    with pytest.raises(SaveConflict):
        editing.save_bank("every-type", EVERY_TYPE_BANK, None, prof)


def test_a_name_that_is_not_a_bank_slug_is_refused_as_invalid(prof, tmp_path):
    with pytest.raises(SaveInvalid, match="not a bank slug"):
        editing.save_bank("../outside", EVERY_TYPE_BANK, None, prof)
    assert not (tmp_path / "outside.yaml").exists()


def test_a_bank_file_that_links_out_of_the_banks_folder_is_never_written(prof, banks_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("kept\n")
    (banks_dir / "outside.yaml").symlink_to(elsewhere)

    with pytest.raises(PathRefused):
        editing.save_bank("outside", EVERY_TYPE_BANK, None, prof)
    assert elsewhere.read_text() == "kept\n"
    assert revision_count("outside") == 0


def test_a_saved_fix_of_a_broken_disk_edit_replaces_the_file_with_the_saved_version(prof, banks_dir):
    opened()
    path = banks_dir / "every-type.yaml"
    path.write_text(BROKEN)
    broken = opened()
    assert broken.disk_sha256 == sha(BROKEN)
    fixed = redescribe("Fixed in the editor.")(EVERY_TYPE_BANK)

    editing.save_bank("every-type", fixed, broken.sha256, prof, disk_sha256=broken.disk_sha256)

    assert path.read_text() == fixed
    assert opened().disk_sha256 is None
    assert served_description() == "Fixed in the editor."


# --- new banks and restores ----------------------------------------------------------------------


def test_a_new_bank_is_made_from_the_template_owned_by_its_author_and_served(prof, banks_dir):
    revision = editing.create_bank("capitals", 'Capitals: "Asia" #1', prof)

    assert revision.action == "create"
    assert editing.check_text("capitals", revision.text) == []
    bank = bank_registry().get("capitals")
    assert bank.title == 'Capitals: "Asia" #1'
    assert list(bank.questions) == ["first-question"]
    assert (banks_dir / "capitals.yaml").read_text() == revision.text
    role = db.session.scalar(
        select(BankMember.role).where(BankMember.bank_slug == "capitals", BankMember.user_id == prof.id)
    )
    assert role == "owner"


def test_a_new_bank_with_a_name_in_use_is_a_conflict(prof):
    editing.create_bank("capitals", "Capitals", prof)
    with pytest.raises(SaveConflict):
        editing.create_bank("capitals", "Capitals again", prof)


def test_a_student_may_not_make_a_bank(prof, auth):
    auth.register("ada")
    with pytest.raises(SaveConflict):
        editing.create_bank("mine", "Mine", account_named("ada"))
    assert bank_registry().get("mine") is None


def test_restoring_an_old_revision_saves_its_text_again_as_a_new_revision(prof):
    first = opened()
    editing.save_bank("every-type", redescribe("Second.")(first.text), first.sha256, prof)
    original = editing.revisions("every-type")[-1]
    assert original.text == EVERY_TYPE_BANK

    restored = editing.restore_revision(original, opened().sha256, prof)

    assert restored.action == "restore"
    assert restored.text == EVERY_TYPE_BANK
    assert [r.action for r in editing.revisions("every-type")][:2] == ["restore", "save"]
    assert served_description() == "One question of each type, for tests."


def test_restoring_with_a_stale_base_is_a_conflict(prof):
    first = opened()
    editing.save_bank("every-type", redescribe("Second.")(first.text), first.sha256, prof)
    original = editing.revisions("every-type")[-1]

    with pytest.raises(SaveConflict):
        editing.restore_revision(original, first.sha256, prof)
    assert served_description() == "Second."


# --- the archive ---------------------------------------------------------------------------------


def test_archiving_takes_a_bank_out_of_the_served_set_into_the_archive_folder(prof, banks_dir):
    editing.archive("every-type", prof)

    assert bank_registry().get("every-type") is None
    assert editing.open_bank("every-type") is None
    assert not (banks_dir / "every-type.yaml").exists()
    [(slug, path)] = archived_banks(banks_dir)
    assert (slug, path.read_text()) == ("every-type", EVERY_TYPE_BANK)
    assert editing.latest_revision("every-type").action == "archive"


def test_archiving_a_bank_already_archived_or_never_made_is_a_conflict(prof):
    editing.archive("every-type", prof)

    with pytest.raises(SaveConflict):
        editing.archive("every-type", prof)
    with pytest.raises(SaveConflict):
        editing.archive("no-such-bank", prof)


def test_unarchiving_serves_the_bank_again_as_it_was(prof, banks_dir):
    editing.archive("every-type", prof)
    [(_, path)] = archived_banks(banks_dir)

    assert editing.unarchive(path.name, prof) == "every-type"

    assert archived_banks(banks_dir) == []
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK
    assert served_description() == "One question of each type, for tests."
    assert editing.latest_revision("every-type").action == "unarchive"


def test_unarchiving_where_a_bank_of_that_name_is_served_again_is_a_conflict(app, prof, banks_dir):
    own(app, "every-type")  # the archived bank's owner may make a new one of its name
    editing.archive("every-type", prof)
    [(_, path)] = archived_banks(banks_dir)
    again = editing.create_bank("every-type", "A new bank of the old name", prof)

    with pytest.raises(SaveConflict) as refused:
        editing.unarchive(path.name, prof)

    assert refused.value.current_text == again.text
    assert path.exists()
    assert bank_registry().get("every-type").title == "A new bank of the old name"


def test_unarchiving_a_name_not_in_the_archive_is_refused(prof):
    with pytest.raises(PathRefused):
        editing.unarchive("every-type.20260101T000000000000Z.yaml", prof)
