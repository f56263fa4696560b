"""Learners' wordings of a text question's answer, judged from the item analysis: accepted into the
bank's key (a new version of the bank, saved like the editor's), or rejected for every class that
sets the bank. Who may call them is the caller's check (``quizapp.access.may_edit_bank``)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from sqlalchemy import delete, select

from quizapp.bank_editor.operations import SaveConflict, SaveInvalid, open_bank, save_bank, validate_bank
from quizapp.bank_editor.questionform import EditError, add_accepted_answer
from quizapp.banks.files import PathRefused
from quizapp.database import upsert, write_transaction
from quizapp.extensions import db
from quizapp.models import BankRevision, RejectedAnswer
from quizapp.people import Person
from quizapp.questions import normalize_text


class AnswerRefused(Exception):
    """The answer cannot be accepted into the bank as it is now; nothing was written. The message
    says why, in the instructor's terms."""


class AnswerConflict(Exception):
    """The bank changed since the page offering the answer was built; nothing was written."""


class AlreadyAccepted(Exception):
    """The question accepts the answer already (someone accepted it meanwhile); nothing was written."""


def accept_answer(slug: str, question_id: str, answer: str, base_sha256: str, author: Person) -> BankRevision:
    """Add ``answer`` to the accepted answers of text question ``question_id`` of bank ``slug``, as
    a new version saved through ``save_bank`` (comments and layout of the rest kept).

    AnswerRefused when the bank no longer validates, or no longer has the question as a text
    question; AlreadyAccepted when its key accepts the answer already (its normalised form);
    AnswerConflict when the bank changed since ``base_sha256``, the version the page offering the
    answer was built from."""
    if not normalize_text(answer):
        raise AnswerRefused("That answer is empty once punctuation is ignored, so it cannot be accepted.")
    try:
        current = open_bank(slug)
    except PathRefused:
        current = None
    if current is None:
        raise AnswerRefused(
            f"The bank '{slug}' is no longer served (archived or removed); nothing was added."
        )
    try:
        bank = validate_bank(slug, current.text)
    except SaveInvalid:
        raise AnswerRefused(
            f"The bank '{slug}' no longer validates, so nothing was added: fix it in the editor first."
        ) from None
    question = bank.questions.get(question_id)
    if question is None:
        raise AnswerRefused(f"The bank '{slug}' no longer has a question '{question_id}'; nothing was added.")
    if not question.accepts_wordings:
        raise AnswerRefused(f"The question '{question_id}' is no longer a text question; nothing was added.")
    if question.grade(answer).outcome == "correct":
        raise AlreadyAccepted
    try:
        text = add_accepted_answer(current.text, question_id, answer)
        return save_bank(slug, text, base_sha256, author, action="accept")
    except (EditError, SaveInvalid) as exc:
        raise AnswerRefused(
            f"The answer could not be added to the bank ({exc}); nothing was written."
        ) from exc
    except SaveConflict:
        raise AnswerConflict from None


def reject_answer(slug: str, question_id: str, answer: str, author: Person) -> None:
    """Record that ``answer`` (every spelling of its normalised form) is wrong for question
    ``question_id`` of bank ``slug``: no class's item analysis offers it any more. Rejecting it
    again changes nothing."""
    folded = normalize_text(answer)
    if not folded:
        raise AnswerRefused("That answer is empty once punctuation is ignored; there is nothing to reject.")
    with write_transaction():
        db.session.execute(
            upsert(RejectedAnswer.__table__)
            .values(
                bank_slug=slug,
                question_id=question_id,
                answer=folded,
                answer_sha256=_digest(folded),
                rejected_by=author.id,
            )
            .on_conflict_do_nothing(index_elements=["bank_slug", "question_id", "answer_sha256"])
        )


def unreject_answer(slug: str, question_id: str, answer: str) -> bool:
    """Take back the rejection of ``answer`` for question ``question_id`` of bank ``slug``: it is
    offered again. False when it was not rejected."""
    with write_transaction():
        removed = db.session.execute(
            delete(RejectedAnswer)
            .where(
                RejectedAnswer.bank_slug == slug,
                RejectedAnswer.question_id == question_id,
                RejectedAnswer.answer_sha256 == _digest(normalize_text(answer)),
            )
            .returning(RejectedAnswer.id)
        ).first()
    return removed is not None


def rejected_answers(slug: str, question_ids: Collection[str]) -> set[tuple[str, str]]:
    """The rejected answers of the bank's questions ``question_ids``, as (question id, normalised
    answer)."""
    rows = db.session.execute(
        select(RejectedAnswer.question_id, RejectedAnswer.answer).where(
            RejectedAnswer.bank_slug == slug, RejectedAnswer.question_id.in_(question_ids)
        )
    )
    return {(question_id, answer) for question_id, answer in rows}


def _digest(folded: str) -> str:
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()
