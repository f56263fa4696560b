"""Our decks in Anki itself: the `anki` package from PyPI (the test extra) imports each export into
a collection of its own, as Anki's File > Import does with its default options, and the cards are
read back as Anki renders them. Each story below runs once per module, in one collection, and the
tests check what it left, so that they hold in any order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from quizapp.banks import Bank, parse_bank
from quizapp.study.anki import CSS, FIELDS, MODEL, deck_file, note_guid
from tests.factories import EVERY_TYPE_BANK

FIRST, LATER, LATEST = (datetime(2026, 9, day, 8, tzinfo=UTC) for day in (1, 2, 3))
BANK = (
    EVERY_TYPE_BANK
    + """\
cards:
  - {id: cis, front: CIS?, back: Commonwealth of Independent States}
"""
)
#: The bank later: retitled, one prompt reworded, one question added and one removed.
EDITED = (
    BANK.replace(BANK[BANK.index("  - id: tf-q") : BANK.index("  - id: text-q")], "")
    .replace("title: Every type", "title: Every question type")
    .replace("prompt: Pick the members.", "prompt: Pick the member states.")
    .replace("questions: [single-q, multi-q, tf-q,", "questions: [single-q, multi-q,")
    .replace(
        "\nquizzes:", "\n  - {id: added-q, type: true_false, prompt: Added later., answer: true}\nquizzes:"
    )
)
#: The note type as releases before this one wrote it: the same id, fields and template names.
OLD_BACK = '{{FrontSide}}<hr id="answer">{{Back}}<p>{{Explanation}}</p><p class="source">{{Source}}</p>'


@dataclass(frozen=True)
class Seen:
    """One card as Anki shows it, and what it remembers of its reviews."""

    deck: str
    fields: list[str]
    question: str
    answer: str
    reps: int
    due: int
    reviews: int


@dataclass(frozen=True)
class After:
    """What an import reported, and the collection after it."""

    new: int
    updated: int
    duplicate: int
    conflicting: int
    cards: dict[str, Seen]
    decks: set[str]


def bank(text: str) -> Bank:
    return parse_bank(text, "every-type.yaml", "every-type")


def guid(card_id: str) -> str:
    return note_guid("every-type", card_id)


def import_file(col: Collection, path: Path) -> After:
    """Import an .apkg with the options Anki's import screen starts with."""
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    return After(
        new=len(log.new),
        updated=len(log.updated),
        duplicate=len(log.duplicate),
        conflicting=len(log.conflicting),
        cards=cards_of(col),
        decks={deck.name for deck in col.decks.all_names_and_ids()},
    )


def import_deck(col: Collection, tmp: Path, text: str, now: datetime) -> After:
    path = tmp / f"{now:%d}.apkg"
    path.write_bytes(deck_file(bank(text), now).getvalue())
    return import_file(col, path)


def cards_of(col: Collection) -> dict[str, Seen]:
    seen = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        note = card.note()
        assert note.guid not in seen, "a note with two cards"
        seen[note.guid] = Seen(
            deck=col.decks.name(card.did),
            fields=list(note.fields),
            question=card.question(),
            answer=card.answer(),
            reps=card.reps,
            due=card.due,
            reviews=col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card_id),
        )
    return seen


def review(col: Collection, card_guid: str) -> None:
    """Answer a card Good, as a learner in Anki would."""
    # By SQL: a GUID holds characters that Anki's search syntax reads as operators.
    sql = "SELECT cards.id FROM cards JOIN notes ON notes.id = cards.nid WHERE notes.guid = ?"
    card = col.get_card(col.db.scalar(sql, card_guid))
    card.start_timer()
    col.sched.answerCard(card, 3)


def edit_in_anki(col: Collection, card_guid: str, back: str, when: datetime) -> None:
    """The learner rewrites a note's back in Anki at ``when``."""
    note = col.get_note(col.db.scalar("SELECT id FROM notes WHERE guid = ?", card_guid))
    note["Back"] = back
    col.update_note(note)
    col.db.execute("UPDATE notes SET mod = ? WHERE id = ?", int(when.timestamp()), note.id)


@dataclass(frozen=True)
class Story:
    first: After
    reviewed: dict[str, Seen]
    again: After
    edited: After
    #: After the learner's own edit of a note, dated between the edited export and the latest.
    older_than_the_edit: After
    newer_than_the_edit: After


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """A learner imports the deck, reviews a card, imports the same file again, then imports the
    export of the bank after its owner edited it; then edits a note in Anki, imports that export
    again, and then a newer one."""
    tmp = tmp_path_factory.mktemp("anki")
    col = Collection(str(tmp / "collection.anki2"))
    try:
        first = import_deck(col, tmp, BANK, FIRST)
        review(col, guid("multi-q"))
        reviewed = cards_of(col)
        again = import_file(col, tmp / f"{FIRST:%d}.apkg")
        edited = import_deck(col, tmp, EDITED, LATER)
        edit_in_anki(col, guid("cis"), "My own words", LATER.replace(hour=12))
        older = import_file(col, tmp / f"{LATER:%d}.apkg")
        newer = import_deck(col, tmp, EDITED, LATEST)
    finally:
        col.close()
    return Story(first, reviewed, again, edited, older, newer)


def test_the_first_import_adds_a_note_and_a_card_for_every_card_of_the_bank(story):
    assert (story.first.new, story.first.updated, story.first.conflicting) == (8, 0, 0)
    ids = ["single-q", "multi-q", "tf-q", "text-q", "numeric-q", "order-q", "match-q", "cis"]
    assert set(story.first.cards) == {guid(i) for i in ids}
    assert {seen.deck for seen in story.first.cards.values()} == {"every-type"}
    assert story.first.decks == {"Default", "every-type"}


def test_fronts_show_the_prompt_with_the_choices_items_and_options_and_never_the_answer(story):
    cards = story.first.cards
    multi = cards[guid("multi-q")].question
    assert "Pick the members." in multi
    assert "Select every right answer." in multi
    assert all(f"<li>{c}</li>" in multi for c in ["Russia", "Belarus", "Georgia", "Ukraine"])
    match = cards[guid("match-q")].question
    assert all(f"<li>{x}</li>" in match for x in ["Tokayev", "Lukashenko", "Pashinyan", "Georgia", "Armenia"])
    order = cards[guid("order-q")].question
    assert order.index("Delta fourth") < order.index("Alpha first")
    for card_id in ["single-q", "multi-q", "order-q", "match-q", "text-q"]:
        front = cards[guid(card_id)].question
        assert "EXPLANATION" not in front, card_id
        assert "→" not in front, card_id
        assert front.startswith(f"<style>{CSS}</style>"), card_id


def test_backs_show_the_answer_and_only_the_explanation_and_source_there_are(story):
    cards = story.first.cards
    multi = cards[guid("multi-q")].answer
    assert multi.startswith(cards[guid("multi-q")].question)
    assert multi.endswith(
        '<hr id="answer">Russia; Belarus<p>EXPLANATION-MULTI</p><p class="source">Paragraph 2 of Test source</p>'
    )
    assert cards[guid("text-q")].answer.endswith(
        '<hr id="answer">Zyxwvuts City (also accepted: Zyxwvuts)<p>EXPLANATION-TEXT</p>'
    )
    assert cards[guid("cis")].answer.endswith('CIS?<hr id="answer">Commonwealth of Independent States')


def test_importing_the_same_file_again_adds_and_changes_nothing(story):
    assert (story.again.new, story.again.updated, story.again.duplicate) == (0, 0, 8)
    assert story.again.cards == story.reviewed
    assert story.again.decks == {"Default", "every-type"}


def test_a_later_export_updates_the_notes_in_place_and_keeps_their_reviews(story):
    edited, before = story.edited.cards, story.reviewed
    assert (story.edited.new, story.edited.updated, story.edited.conflicting) == (1, 7, 0)
    multi = edited[guid("multi-q")]
    assert multi.fields[0].startswith("Pick the member states.<p")
    assert "Pick the member states." in multi.question
    assert before[guid("multi-q")].reps == multi.reps == 1
    assert before[guid("multi-q")].reviews == multi.reviews == 1
    assert multi.due == before[guid("multi-q")].due
    assert {g: s for g, s in edited.items() if g not in {guid("multi-q"), guid("added-q")}} == {
        g: s for g, s in before.items() if g != guid("multi-q")
    }


def test_a_retitled_bank_stays_one_deck_and_new_questions_join_it(story):
    assert story.edited.decks == {"Default", "every-type"}
    assert {seen.deck for seen in story.edited.cards.values()} == {"every-type"}
    assert "Added later." in story.edited.cards[guid("added-q")].question


def test_a_learners_own_edit_lasts_until_a_newer_export(story):
    assert story.older_than_the_edit.cards[guid("cis")].fields[1] == "My own words"
    assert story.older_than_the_edit.updated == 0
    assert story.newer_than_the_edit.cards[guid("cis")].fields[1] == "Commonwealth of Independent States"


def test_a_question_removed_from_the_bank_keeps_its_note_in_anki(story):
    assert "id: tf-q" not in EDITED
    assert story.edited.cards[guid("tf-q")] == story.reviewed[guid("tf-q")]


@dataclass(frozen=True)
class Upgrade:
    kept_name: After
    renamed: After


def old_release_deck(tmp: Path) -> Path:
    """The deck as the previous release exported it: named after the bank's title, every field
    filled in, the old back template; dated a day before this release's exports."""
    model = genanki.Model(
        MODEL.model_id,
        "quizapp card",
        fields=FIELDS,
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": OLD_BACK}],
        css=CSS,
    )
    deck = genanki.Deck(MODEL.model_id + 1, "Every type")
    for question in bank(BANK).questions.values():
        fields = [question.prompt, question.answer_text(), question.explanation, ""]
        deck.add_note(genanki.Note(model=model, fields=fields, guid=guid(question.id)))
    path = tmp / "old.apkg"
    genanki.Package(deck).write_to_file(path, timestamp=FIRST.timestamp())
    return path


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> Upgrade:
    """Two learners who imported the previous release's deck and reviewed a card: one imports this
    release's export as it is, the other renames their deck to the bank's slug in Anki first."""
    outcomes = []
    for rename in (False, True):
        tmp = tmp_path_factory.mktemp("anki-upgrade")
        col = Collection(str(tmp / "collection.anki2"))
        try:
            import_file(col, old_release_deck(tmp))
            review(col, guid("multi-q"))
            if rename:
                col.decks.rename(col.decks.id_for_name("Every type"), "every-type")
            outcomes.append(import_deck(col, tmp, BANK, LATEST))
        finally:
            col.close()
    return Upgrade(*outcomes)


def test_a_deck_from_the_previous_release_takes_the_new_fronts_and_backs_and_keeps_its_reviews(upgrade):
    for after in (upgrade.kept_name, upgrade.renamed):
        assert (after.new, after.updated, after.conflicting) == (1, 7, 0)  # the bank's own card is new
        cards = after.cards
        assert "<li>Belarus</li>" in cards[guid("multi-q")].question
        assert cards[guid("multi-q")].reps == cards[guid("multi-q")].reviews == 1
        assert cards[guid("text-q")].answer.endswith("<p>EXPLANATION-TEXT</p>")  # the new template


def test_anki_keeps_the_cards_in_the_deck_they_were_in_whatever_the_import_names_it(upgrade):
    # Anki finds decks by name: under the old name, only the new card lands in the new deck.
    kept = upgrade.kept_name
    assert kept.decks == {"Default", "Every type", "every-type"}
    assert {g for g, seen in kept.cards.items() if seen.deck == "every-type"} == {guid("cis")}
    # Renamed to the slug, the deck is the one the import names: one deck holds every card.
    assert upgrade.renamed.decks == {"Default", "every-type"}
    assert {seen.deck for seen in upgrade.renamed.cards.values()} == {"every-type"}
