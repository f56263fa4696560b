"""The Anki export: a bank's cards as an .apkg (a zip holding an SQLite collection), with note
GUIDs, note type and deck ids stable across exports so that Anki updates notes on re-import."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import genanki
import pytest

from quizapp.extensions import bank_registry
from quizapp.study.anki import deck_file
from tests.factories import EVERY_TYPE_BANK, Export, read_apkg

NOW = datetime(2026, 9, 1, tzinfo=UTC)
EVERY_TYPE_IDS = ["single-q", "multi-q", "tf-q", "text-q", "numeric-q", "order-q", "match-q"]


def export(app, slug: str, tmp_path: Path) -> Export:
    with app.app_context():
        return read_apkg(deck_file(bank_registry().get(slug), NOW).getvalue(), tmp_path)


def guid(slug: str, card_id: str) -> str:
    return genanki.guid_for("quizapp", slug, card_id)


def test_the_download_is_an_apkg_with_a_note_for_every_question(app, student, tmp_path):
    response = student.get("/study/every-type/anki.apkg")

    assert response.status_code == 200
    assert response.mimetype == "application/apkg"
    assert response.headers["Content-Disposition"] == "attachment; filename=every-type.apkg"
    assert response.headers["Cache-Control"] == "no-store"
    deck = read_apkg(response.get_data(), tmp_path)
    assert len(deck.fields) == 7
    assert list(deck.fields) == [guid("every-type", q) for q in EVERY_TYPE_IDS]
    assert deck.fields[guid("every-type", "single-q")] == [
        'Pick the capital of Kazakhstan.<ul class="choices">'
        "<li>Yerevan</li><li>Dushanbe</li><li>Astana</li><li>Bishkek</li></ul>",
        "Astana",
        "EXPLANATION-SINGLE",
        "Paragraph 1 of Test source",
    ]
    assert deck.fields[guid("every-type", "multi-q")] == [
        'Pick the members.<p class="hint">Select every right answer.</p>'
        '<ul class="choices"><li>Russia</li><li>Georgia</li><li>Belarus</li><li>Ukraine</li></ul>',
        "Russia; Belarus",
        "EXPLANATION-MULTI",
        "Paragraph 2 of Test source",
    ]
    assert deck.fields[guid("every-type", "text-q")] == [
        "Name the city.",
        "Zyxwvuts City (also accepted: Zyxwvuts)",
        "EXPLANATION-TEXT",
        "",
    ]
    [deck_id] = deck.deck_ids
    assert deck.decks[deck_id] == "every-type"  # Anki matches decks by name: a new title must not split it


def test_a_banks_own_cards_are_notes_too_after_its_questions(app, make_bank, tmp_path):
    make_bank(
        "terms",
        """\
        title: Terms
        questions:
          - {id: q1, type: true_false, prompt: Astana is the capital., answer: true}
        cards:
          - {id: cis, front: CIS?, back: Commonwealth of Independent States}
          - {id: eaeu, front: EAEU?, back: Eurasian Economic Union}
        """,
    )

    deck = export(app, "terms", tmp_path)

    assert list(deck.fields) == [guid("terms", "q1"), guid("terms", "cis"), guid("terms", "eaeu")]
    assert deck.fields[guid("terms", "q1")] == ["Astana is the capital.", "True", "", ""]
    assert deck.fields[guid("terms", "cis")] == ["CIS?", "Commonwealth of Independent States", "", ""]


def test_a_note_names_every_paragraph_its_question_cites(app, make_bank, tmp_path):
    make_bank(
        "cited",
        """\
        title: Cited
        source: {title: The article, paragraphs: 5}
        questions:
          - {id: q1, type: true_false, prompt: One?, answer: true, source: [2, 5]}
          - {id: q2, type: true_false, prompt: Two?, answer: true, source: header}
        """,
    )

    deck = export(app, "cited", tmp_path)

    assert deck.fields[guid("cited", "q1")][3] == "Paragraphs 2 and 5 of The article"
    assert deck.fields[guid("cited", "q2")][3] == "The header of The article"


def test_fields_are_html_escaped_and_keep_their_line_breaks(app, make_bank, tmp_path):
    make_bank(
        "markup",
        """\
        title: Markup
        questions:
          - id: q1
            type: text
            prompt: Is <b>this</b> bold & plain?
            answer: [No]
            explanation: |-
              First line
              second <i>line</i>
        cards:
          - {id: c1, front: x < y, back: <script>alert(1)</script>}
        """,
    )

    deck = export(app, "markup", tmp_path)

    prompt, answer, explanation, _ = deck.fields[guid("markup", "q1")]
    assert prompt == "Is &lt;b&gt;this&lt;/b&gt; bold &amp; plain?"
    assert answer == "No"
    assert explanation == "First line<br>second &lt;i&gt;line&lt;/i&gt;"
    assert deck.fields[guid("markup", "c1")][:2] == ["x &lt; y", "&lt;script&gt;alert(1)&lt;/script&gt;"]


def test_a_new_export_after_an_edit_keeps_every_id_and_changes_only_the_edited_field(
    app, banks_dir, tmp_path
):
    before = export(app, "every-type", tmp_path)
    edited = EVERY_TYPE_BANK.replace(
        "prompt: Pick the capital of Kazakhstan.", "prompt: Pick the <b>capital</b> of Kazakhstan."
    )
    assert edited != EVERY_TYPE_BANK
    (banks_dir / "every-type.yaml").write_text(edited)

    after = export(app, "every-type", tmp_path)

    assert list(after.fields) == list(before.fields)
    single = guid("every-type", "single-q")
    choices = '<ul class="choices"><li>Yerevan</li><li>Dushanbe</li><li>Astana</li><li>Bishkek</li></ul>'
    assert before.fields[single][0] == "Pick the capital of Kazakhstan." + choices
    assert after.fields[single][0] == "Pick the &lt;b&gt;capital&lt;/b&gt; of Kazakhstan." + choices
    assert after.fields[single][1:] == before.fields[single][1:]
    assert {g: f for g, f in after.fields.items() if g != single} == {
        g: f for g, f in before.fields.items() if g != single
    }
    assert after.model_ids == before.model_ids
    assert len(after.model_ids) == 1
    assert after.deck_ids == before.deck_ids
    assert len(after.deck_ids) == 1


@pytest.mark.parametrize("title", ["Every type", "Another title"])
def test_different_banks_get_different_decks_but_one_note_type(app, make_bank, tmp_path, title):
    make_bank(
        "other",
        f"""\
        title: {title}
        questions:
          - {{id: single-q, type: true_false, prompt: Same id as in every-type., answer: true}}
        """,
    )

    one, other = export(app, "every-type", tmp_path), export(app, "other", tmp_path)

    assert one.deck_ids.isdisjoint(other.deck_ids)
    assert one.model_ids == other.model_ids
    assert set(one.fields).isdisjoint(other.fields)  # the same card id in two banks: two notes


def test_fronts_show_the_options_to_match_and_the_items_to_order(app, student, tmp_path):
    deck = read_apkg(student.get("/study/every-type/anki.apkg").get_data(), tmp_path)

    assert deck.fields[guid("every-type", "match-q")][0] == (
        "Match each leader to a country."
        '<ul class="items"><li>Pashinyan</li><li>Tokayev</li><li>Lukashenko</li></ul>'
        '<p class="hint">Match each with one of:</p>'
        '<ul class="options"><li>Armenia</li><li>Belarus</li><li>Georgia</li><li>Kazakhstan</li></ul>'
    )
    assert deck.fields[guid("every-type", "order-q")][0] == (
        "Put these in order."
        '<ul class="order"><li>Bravo second</li><li>Charlie third</li><li>Delta fourth</li><li>Alpha first</li></ul>'
    )
    assert deck.fields[guid("every-type", "tf-q")][0] == "The treaty came before the organisation."


def test_no_ordering_front_shows_its_items_in_the_right_order(app, make_bank, tmp_path):
    # Three items: a plain shuffle would draw the right order for about one card in six.
    questions = "".join(
        f"  - {{id: q{i}, type: order, prompt: Order {i}., answer: [a{i}, b{i}, c{i}]}}\n" for i in range(40)
    )
    make_bank("orders", "title: Orders\nquestions:\n" + questions)

    deck = export(app, "orders", tmp_path)

    shown = [re.findall(r"<li>(.*?)</li>", fields[0]) for fields in deck.fields.values()]
    assert len(shown) == 40
    assert all(sorted(items) == [f"a{i}", f"b{i}", f"c{i}"] for i, items in enumerate(shown))
    assert all(items != [f"a{i}", f"b{i}", f"c{i}"] for i, items in enumerate(shown))
    assert len({tuple(item[0] for item in items) for items in shown}) > 1  # shuffled, not rotated
    assert export(app, "orders", tmp_path).fields == deck.fields


def test_choices_keep_their_order_when_the_bank_says_so_and_are_escaped(app, make_bank, tmp_path):
    make_bank(
        "kept",
        """\
        title: Kept
        questions:
          - id: q1
            type: single
            prompt: Which?
            choices: [x < y, "<b>bold</b>", Both, None of the above]
            answer: Both
            shuffle: false
        """,
    )

    deck = export(app, "kept", tmp_path)

    assert deck.fields[guid("kept", "q1")][0] == (
        'Which?<ul class="choices"><li>x &lt; y</li><li>&lt;b&gt;bold&lt;/b&gt;</li>'
        "<li>Both</li><li>None of the above</li></ul>"
    )


def test_a_new_title_keeps_the_decks_name_and_id_and_goes_in_its_description(app, banks_dir, tmp_path):
    before = export(app, "every-type", tmp_path)
    (banks_dir / "every-type.yaml").write_text(EVERY_TYPE_BANK.replace("title: Every type", "title: Renamed"))

    after = export(app, "every-type", tmp_path)

    assert after.deck_ids == before.deck_ids
    [deck_id] = after.deck_ids
    assert after.decks[deck_id] == before.decks[deck_id] == "every-type"
    assert before.descriptions[deck_id] == "<p>Every type</p><p>One question of each type, for tests.</p>"
    assert after.descriptions[deck_id] == "<p>Renamed</p><p>One question of each type, for tests.</p>"
    assert after.fields == before.fields
