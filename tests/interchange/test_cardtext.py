"""Flashcards from Quizlet's export ("term TAB definition") and Anki's "Notes in Plain Text":
cards with ids made from their fronts, HTML reduced to text, each bad row reported at its line."""

from __future__ import annotations

from quizapp.banks import parse_bank
from quizapp.interchange import IMPORTERS, Imported, LineProblem, bank_yaml


def quizlet(text: str):
    return IMPORTERS["quizlet"](text)


def anki(text: str):
    return IMPORTERS["anki-txt"](text)


def test_quizlet_lines_become_cards_with_ids_made_from_the_term():
    imported = quizlet("CSTO\tCollective Security Treaty Organization\n\nOsh\tA city in Kyrgyzstan\n")
    assert imported.problems == []
    assert imported.cards == [
        {"id": "csto", "front": "CSTO", "back": "Collective Security Treaty Organization"},
        {"id": "osh", "front": "Osh", "back": "A city in Kyrgyzstan"},
    ]
    assert imported.lines == {"csto": 1, "osh": 3}


def test_quizlet_terms_that_slug_alike_get_unique_ids():
    imported = quizlet("Ça va?\tHow are you?\nca va\tinformal\n?!\tpunctuation only\n")
    assert [c["id"] for c in imported.cards] == ["ca-va", "ca-va-2", "card"]


def test_quizlet_comma_separated_export_is_read_when_no_line_has_a_tab():
    imported = quizlet("CSTO,Collective Security Treaty Organization, founded 2002\n")
    assert imported.cards[0]["back"] == "Collective Security Treaty Organization, founded 2002"


def test_quizlet_lines_with_no_separator_or_an_empty_side_are_reported_at_their_line():
    imported = quizlet(
        "CSTO\tCollective Security Treaty Organization\nno separator here\n\tempty term\nOsh\t \n"
    )
    assert imported.problems == [
        LineProblem(2, "no tab between the term and its definition"),
        LineProblem(3, "the term is empty"),
        LineProblem(4, "the definition is empty"),
    ]
    assert [c["id"] for c in imported.cards] == ["csto"]


# As Anki 2.1.55+ writes File > Export > Notes in Plain Text, with HTML, tags and the guid.
ANKI_EXPORT = """\
#separator:tab
#html:true
#guid column:1
#tags column:4
Ol(Oaz4$7`\tWhat does <b>CSTO</b> stand for?\tCollective Security<br>Treaty&nbsp;Organization\tbasics csto
b2@K0e|n.;\t"Two lines,
quoted"\t<div>Anki quotes a field with a line break</div><script>alert(1)</script>\t
"""


def test_anki_notes_become_cards_with_html_reduced_to_text_and_their_tags():
    imported = anki(ANKI_EXPORT)
    assert imported.problems == []
    first, second = imported.cards
    assert first == {
        "id": "what-does-csto-stand-for",
        "front": "What does CSTO stand for?",
        "back": "Collective Security\nTreaty Organization",
        "tags": ["basics", "csto"],
    }
    assert second["front"] == "Two lines,\nquoted"
    assert second["back"] == "Anki quotes a field with a line break"
    assert "tags" not in second
    assert imported.lines == {first["id"]: 5, second["id"]: 6}


def test_anki_cards_go_into_a_bank_that_validates():
    cards = anki(ANKI_EXPORT).cards
    question = {"id": "q", "type": "true_false", "prompt": "A bank needs a question.", "answer": True}
    bank = parse_bank(bank_yaml(Imported(questions=[question], cards=cards), "Cards"), "c.yaml", "c")
    assert [card.id for card in bank.cards] == [c["id"] for c in cards]
    assert bank.cards[0].tags == ("basics", "csto")


def test_anki_without_html_keeps_the_text_as_written():
    imported = anki("#separator:semicolon\n#html:false\na <b>;b & c\n")
    assert imported.cards[0] == {"id": "a-b", "front": "a <b>", "back": "b & c"}


def test_anki_columns_header_names_an_extra_field_that_is_lost():
    imported = anki("#separator:tab\n#html:false\n#columns:Front\tBack\tExtra\nq\ta\tmore\nr\tb\t\n")
    assert [c["id"] for c in imported.cards] == ["q", "r"]
    assert [str(loss) for loss in imported.losses] == [
        "q: the field 'Extra' (a card has a front and a back only)"
    ]


def test_anki_images_and_sounds_are_listed_as_lost():
    imported = anki('#html:true\nWho?\t<img src="putin.jpg"> [sound:name.mp3] Putin\n')
    assert {loss.what for loss in imported.losses} == {"an image", "a sound"}


def test_anki_rows_without_a_back_an_empty_field_or_a_broken_quote_are_reported_at_their_line():
    imported = anki('#separator:tab\nfront only\n\tempty front\nok\tfine\n"unclosed\tquote\n')
    assert [p.line for p in imported.problems] == [2, 3, 5]
    assert "front and a back" in imported.problems[0].message
    assert imported.problems[1].message == "the front is empty"
    assert [c["id"] for c in imported.cards] == ["ok"]


def test_anki_headers_anki_never_writes_are_reported():
    assert anki("#separator:two chars\na\tb\n").problems == [
        LineProblem(1, "the separator 'two chars' is not one Anki writes")
    ]
    assert anki("#separator:tab\n#tags column:x\na\tb\n").problems[0].line == 2
