"""The bank pages' import and download: a file previewed (nothing written), then saved as the
editor saves, as a new bank or into one the instructor edits; every bad upload refused with a
clear message; each registered export format downloaded with its losses shown first.

The cast: prof owns every-type (``bank_owner``); bob is another instructor; ada a student."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from quizapp.bank_editor.transfer import MAX_IMPORT_BYTES
from quizapp.banks import parse_bank
from quizapp.interchange import EXPORTERS, qti
from quizapp.questions import MultipleChoice, SingleChoice
from tests.factories import (
    BANKS,
    EVERY_TYPE_BANK,
    archive_bank,
    canvas_package,
    csrf_token,
    form_with,
    learner,
    other_instructor,
    redescribe,
    revision_rows,
    save_through_editor,
    text,
    text_of,
)

IMPORT = f"{BANKS}/import"

AIKEN = b"""\
Which treaty did the CSTO grow out of?
A. The Collective Security Treaty
B. The Warsaw Pact
ANSWER: A

Which city saw unrest in 2010?
A) Osh
B) Almaty
ANSWER: A
"""

QUIZLET = b"CSTO\tCollective Security Treaty Organization\nOsh\tA city in Kyrgyzstan\n"


def upload(client, content: bytes, filename: str = "quiz.txt", token: str | None = None, **fields):
    """Post the import form with a file, as the browser's "Preview" button does."""
    token = token or csrf_token(text(client.get(IMPORT)))
    data = {"format": "", "into": "", "slug": "", "title": "", "action": "preview", **fields}
    data.update({"csrf_token": token, "file": FileStorage(io.BytesIO(content), filename)})
    # Encoded here, in memory: the test client spools a large body to a file it never closes.
    boundary, body = encode_multipart(data)
    return client.post(IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def confirm(client, preview_page: str):
    """Press the preview's confirm button: its form posted back as the browser would."""
    fields = form_with(preview_page, field="source")
    return client.post(IMPORT, data={**fields, "action": "confirm"}, content_type="multipart/form-data")


def saved_revisions(app, slug: str = "every-type") -> list[dict]:
    """The bank's revisions saved through the app (not the file taken in from this host's disk)."""
    return [row for row in revision_rows(app, slug) if row["action"] != "disk"]


def bank_file(banks_dir: Path, slug: str) -> Path:
    return banks_dir / f"{slug}.yaml"


def test_the_banks_page_links_to_the_import_page(instructor):
    page = text(instructor.get(f"{BANKS}/"))
    assert f'href="{IMPORT}"' in page
    form = text(instructor.get(IMPORT))
    assert 'enctype="multipart/form-data"' in form
    for fmt in ("aiken", "quizlet", "anki-txt"):
        assert f'<option value="{fmt}">' in form


def test_a_preview_shows_the_questions_and_writes_nothing(app, instructor, banks_dir):
    response = upload(instructor, AIKEN, slug="from-moodle", title="From Moodle")
    assert response.status_code == 200
    page = text_of(response)
    assert "Which treaty did the CSTO grow out of?" in page
    assert "which-city-saw-unrest-in-2010 · Single choice · line 6" in page
    assert "quiz.txt as aiken, a new bank from-moodle" in page  # the format was guessed
    assert "Create from-moodle" in page
    assert not bank_file(banks_dir, "from-moodle").exists()
    assert revision_rows(app, "from-moodle") == []


def test_confirm_writes_a_valid_bank_and_a_revision_owned_by_its_importer(app, instructor, banks_dir):
    preview = text(upload(instructor, AIKEN, slug="from-moodle", title="From Moodle"))
    response = confirm(instructor, preview)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BANKS}/from-moodle/edit")
    assert "Imported 2 items from quiz.txt into from-moodle." in text_of(
        instructor.get(response.headers["Location"])
    )
    [revision] = revision_rows(app, "from-moodle")
    assert revision["action"] == "create"
    saved = bank_file(banks_dir, "from-moodle").read_text()
    assert "title: From Moodle" in saved
    assert "answer: The Collective Security Treaty" in saved
    assert "# from line 1 of quiz.txt" in saved  # each item says where in the file it came from
    banks_page = text(instructor.get(f"{BANKS}/"))
    assert "Valid · 2 questions · 1 quizzes" in banks_page  # it validated, and prof edits it


def test_a_new_bank_whose_name_is_taken_is_refused_before_anything_is_written(app, bank_owner):
    response = upload(bank_owner, AIKEN, slug="every-type")
    assert response.status_code == 422
    assert "A bank called every-type exists already" in text_of(response)
    assert "Create every-type" not in text_of(response)
    assert saved_revisions(app) == []


def test_a_new_bank_whose_name_is_archived_is_refused_before_anything_is_written(app, bank_owner, banks_dir):
    archive_bank(app, "every-type")
    response = upload(bank_owner, AIKEN, slug="every-type")
    assert response.status_code == 422
    assert "A bank called every-type exists already (or is archived)" in text_of(response)
    assert "Create every-type" not in text_of(response)
    assert not bank_file(banks_dir, "every-type").exists()


def test_cards_are_added_to_a_bank_the_instructor_edits_as_its_next_revision(app, bank_owner, banks_dir):
    preview = upload(bank_owner, QUIZLET, "set.txt", format="quizlet", into="every-type")
    assert preview.status_code == 200
    assert "Add them to every-type" in text(preview)
    response = confirm(bank_owner, text(preview))
    assert response.status_code == 302
    assert [row["action"] for row in saved_revisions(app)] == ["import"]
    saved = bank_file(banks_dir, "every-type").read_text()
    assert set(EVERY_TYPE_BANK.splitlines()) <= set(saved.splitlines())  # comments and all kept
    assert "id: osh" in saved
    assert "back: A city in Kyrgyzstan" in saved
    assert "Valid · " in text(bank_owner.get(f"{BANKS}/"))


def test_appending_refuses_ids_the_bank_has_already(app, bank_owner, banks_dir):
    first = confirm(bank_owner, text(upload(bank_owner, QUIZLET, format="quizlet", into="every-type")))
    assert first.status_code == 302
    saved = bank_file(banks_dir, "every-type").read_text()
    again = upload(bank_owner, QUIZLET, format="quizlet", into="every-type")
    assert again.status_code == 422
    page = text_of(again)
    assert "The bank already has items with the id 'csto' (line 1), 'osh' (line 2)" in page
    assert "Add them to" not in page
    assert bank_file(banks_dir, "every-type").read_text() == saved


def test_cards_alone_cannot_make_a_new_bank(instructor, banks_dir):
    response = upload(instructor, QUIZLET, format="quizlet", slug="cards-only")
    assert response.status_code == 422
    assert "A bank needs at least one question" in text_of(response)
    assert not bank_file(banks_dir, "cards-only").exists()


def test_a_file_with_problems_lists_them_by_line_and_offers_no_confirm(app, instructor, banks_dir):
    bad = b"Q one?\nA. a\nB. b\nANSWER: C\n\nQ two?\nA. c\nB. d\nANSWER: B\nC. late\n"
    response = upload(instructor, bad, slug="broken")
    assert response.status_code == 422
    page = text_of(response)
    assert "<strong>line 4</strong>: ANSWER C names no option (the options are A, B)" in page
    assert "<strong>line 10</strong>: an option after the ANSWER line" in page
    assert 'value="confirm"' not in page
    assert revision_rows(app, "broken") == []


def test_a_forged_confirm_of_a_file_with_problems_writes_nothing(app, instructor, banks_dir):
    token = csrf_token(text(instructor.get(IMPORT)))
    data = {"csrf_token": token, "action": "confirm", "source": "Q?\nA. a\nANSWER: B\n", "format": "aiken"}
    response = instructor.post(IMPORT, data={**data, "filename": "x.txt", "slug": "forged", "into": ""})
    assert response.status_code == 422
    assert not bank_file(banks_dir, "forged").exists()


def test_a_file_too_big_is_refused_with_its_size(instructor, banks_dir):
    response = upload(instructor, b"Q?\tA\n" * (MAX_IMPORT_BYTES // 5 + 1), slug="big")
    assert response.status_code == 422
    assert "files of up to 1 MB can be imported" in text_of(response)
    assert not bank_file(banks_dir, "big").exists()


def test_a_file_not_in_utf8_is_refused_with_the_line_and_what_to_do(instructor):
    response = upload(instructor, "Q one?\nA. café\nB. thé\nANSWER: A\n".encode("latin-1"), slug="latin")
    assert response.status_code == 422
    assert "quiz.txt is not UTF-8 text (line 2" in text_of(response)
    assert "Save it as UTF-8" in text_of(response)


def test_a_file_with_nul_bytes_is_refused_as_not_text(instructor, banks_dir):
    response = upload(instructor, AIKEN.replace(b"Osh", b"O\x00sh"), slug="binary")
    assert response.status_code == 422
    assert "quiz.txt is not text (it holds NUL bytes)" in text_of(response)
    assert not bank_file(banks_dir, "binary").exists()


def test_a_utf8_file_with_a_byte_order_mark_reads_as_without(instructor):
    response = upload(instructor, b"\xef\xbb\xbf" + AIKEN, slug="bom")
    assert response.status_code == 200
    assert "which-treaty-did-the-csto-grow-out-of · Single choice · line 1" in text_of(response)


def test_no_file_or_an_unknown_format_gets_a_message_and_no_name_names_the_bank_as_the_file(instructor):
    token = csrf_token(text(instructor.get(IMPORT)))
    no_file = instructor.post(IMPORT, data={"csrf_token": token, "slug": "x", "action": "preview"})
    assert no_file.status_code == 422
    assert "Choose a file to import." in text_of(no_file)
    no_name = upload(instructor, AIKEN, filename="CSTO basics.txt")
    assert no_name.status_code == 200
    assert "CSTO basics.txt as aiken, a new bank csto-basics" in text_of(no_name)
    unknown = upload(instructor, b"just words\n", slug="x")
    assert unknown.status_code == 422
    assert "could not be guessed: choose it" in text_of(unknown)
    forged = upload(instructor, AIKEN, slug="x", format="cobol")
    assert forged.status_code == 422
    assert "does not read the format 'cobol'" in text_of(forged)


def test_the_file_name_is_escaped_in_the_preview(instructor):
    response = upload(instructor, AIKEN, filename='<img src=x onerror="alert(1)">.txt', slug="named")
    assert response.status_code == 200
    assert "<img src=x" not in text(response)
    assert "&lt;img src=x onerror=" in text(response)


def test_an_upload_without_the_csrf_token_is_refused(instructor, banks_dir):
    response = upload(instructor, AIKEN, slug="no-token", token="forged")
    assert response.status_code == 400
    assert not bank_file(banks_dir, "no-token").exists()


def test_an_instructor_may_not_add_to_a_bank_they_do_not_edit(app, instructor, banks_dir):
    before = bank_file(banks_dir, "every-type").read_text()
    response = upload(instructor, QUIZLET, format="quizlet", into="every-type")  # a site bank
    assert response.status_code == 404
    page = text(instructor.get(IMPORT))
    assert '<option value="every-type">' not in page
    assert bank_file(banks_dir, "every-type").read_text() == before


def test_students_and_visitors_never_reach_the_import_page(app, client):
    assert client.get(IMPORT).status_code == 302  # to the login page
    ada = learner(app)
    assert ada.get(IMPORT).status_code == 403


# --- download ------------------------------------------------------------------------------------


def test_each_registered_format_is_offered_on_the_download_page_with_its_losses(bank_owner):
    assert f'href="{BANKS}/every-type/export"' in text(bank_owner.get(f"{BANKS}/"))
    page = text_of(bank_owner.get(f"{BANKS}/every-type/export"))
    for fmt in EXPORTERS:
        assert f"Download as {fmt}" in page
    assert "the question type 'multi' (Aiken holds single choice only)" in page


def test_download_of_a_registered_format_has_its_content_type_and_file_name(bank_owner):
    response = bank_owner.get(f"{BANKS}/every-type/export/aiken")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="every-type.aiken.txt"'
    assert response.headers["Cache-Control"] == "no-store"
    assert int(response.headers["X-Quizapp-Losses"]) > 0
    assert "\nANSWER: " in text(response)


def test_the_qti_download_is_the_zip_canvas_imports_and_it_can_be_imported_back(app, bank_owner, banks_dir):
    response = bank_owner.get(f"{BANKS}/every-type/export/qti")
    package = response.get_data()
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="every-type.qti.zip"'
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert "imsmanifest.xml" in archive.namelist()

    preview = upload(
        bank_owner, package, filename="every-type.qti.zip", slug="from-canvas", title="From Canvas"
    )
    assert preview.status_code == 200, text_of(preview)
    assert "every-type.qti.zip as qti, a new bank from-canvas" in text_of(preview)
    assert confirm(bank_owner, text(preview)).status_code == 302
    assert "single-q" in bank_file(banks_dir, "from-canvas").read_text()


def test_a_canvas_package_whose_quiz_keeps_its_choices_in_order_is_saved_so_by_the_confirm_button(
    bank_owner, banks_dir
):
    package = canvas_package(shuffled=False)

    preview = upload(bank_owner, package, filename="csto.qti.zip", slug="from-canvas", title="From Canvas")
    assert preview.status_code == 200, text_of(preview)
    assert confirm(bank_owner, text(preview)).status_code == 302

    bank = parse_bank(bank_file(banks_dir, "from-canvas").read_text(), "from-canvas.yaml", "from-canvas")
    choices = [q for q in bank.questions.values() if isinstance(q, SingleChoice | MultipleChoice)]
    assert len(choices) == 2
    assert not any(q.shuffle for q in choices)


def qti_package(questions: int) -> bytes:
    """A Canvas package of ``questions`` single-choice questions: text that zips to a fraction."""
    items = "".join(
        f'  - id: q{i}\n    type: single\n    prompt: "In which year did event {i} of the long history happen?"\n'
        f'    choices: ["{1000 + i}", "{2000 + i}", "{3000 + i}"]\n    answer: "{1000 + i}"\n'
        for i in range(questions)
    )
    package = EXPORTERS["qti"](parse_bank(f"title: Big\nquestions:\n{items}", "big.yaml", "big")).data
    assert package is not None
    return package


def test_a_qti_package_whose_text_is_over_the_limit_once_unzipped_is_refused_at_upload(bank_owner, banks_dir):
    """The preview carries the file's text to its confirm button: a small zip of several MB of text
    would preview, then fail to post back."""
    package = qti_package(1500)
    assert len(package) < MAX_IMPORT_BYTES < len(str(qti.package_document(package)).encode())
    response = upload(bank_owner, package, filename="big.qti.zip", slug="big")
    assert response.status_code == 422
    assert "once unzipped; up to 1 MB can be imported at once" in text_of(response)
    assert not bank_file(banks_dir, "big").exists()


def test_a_qti_package_of_nearly_the_limit_previews_and_is_saved_by_its_confirm_button(bank_owner, banks_dir):
    package = qti_package(400)
    assert MAX_IMPORT_BYTES // 2 < len(str(qti.package_document(package)).encode()) < MAX_IMPORT_BYTES
    preview = upload(bank_owner, package, filename="big.qti.zip", slug="big")
    assert preview.status_code == 200, text_of(preview)[:300]
    # Encoded here, in memory, as upload() does: the test client spools a large body to a file.
    boundary, body = encode_multipart({**form_with(text(preview), field="source"), "action": "confirm"})
    confirmed = bank_owner.post(IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert confirmed.status_code == 302
    assert "q399" in bank_file(banks_dir, "big").read_text()


def test_a_zip_that_is_not_a_qti_package_is_refused_with_a_message(bank_owner, banks_dir):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not an assessment")
    response = upload(bank_owner, buffer.getvalue(), filename="notes.zip", slug="notes")
    assert response.status_code == 422
    assert "notes.zip cannot be read as a QTI package: the package holds no QTI document" in text_of(response)
    assert not bank_file(banks_dir, "notes").exists()


def test_a_damaged_qti_package_is_refused_with_a_message(app, bank_owner, banks_dir):
    package = bytearray(bank_owner.get(f"{BANKS}/every-type/export/qti").get_data())
    with zipfile.ZipFile(io.BytesIO(bytes(package))) as archive:
        [info] = [i for i in archive.infolist() if i.filename.endswith("every-type.xml")]
    package[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5] ^= 0xFF
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash would be a 500 page, not an exception here

    response = upload(bank_owner, bytes(package), filename="every-type.qti.zip", slug="broken")

    assert response.status_code == 422
    assert "cannot be read as a QTI package: the package is damaged or encrypted" in text_of(response)
    assert not bank_file(banks_dir, "broken").exists()


@pytest.mark.parametrize("path", ["export", "export/aiken"])
def test_download_is_for_the_banks_editors_only(app, instructor, path):
    assert instructor.get(f"{BANKS}/every-type/{path}").status_code in (403, 404)
    bob = other_instructor(app, "bob")
    assert bob.get(f"{BANKS}/every-type/{path}").status_code in (403, 404)


def test_a_format_that_is_not_registered_is_no_download(bank_owner):
    assert bank_owner.get(f"{BANKS}/every-type/export/docx").status_code == 404


def test_confirm_after_the_bank_changed_adds_to_the_new_version_and_keeps_the_change(
    app, bank_owner, banks_dir
):
    preview = text(upload(bank_owner, QUIZLET, format="quizlet", into="every-type"))
    save_through_editor(bank_owner, redescribe("Changed meanwhile."))
    response = confirm(bank_owner, preview)
    assert response.status_code == 302
    saved = bank_file(banks_dir, "every-type").read_text()
    assert "description: Changed meanwhile." in saved
    assert "id: osh" in saved
    assert [row["action"] for row in saved_revisions(app)] == ["save", "import"]
