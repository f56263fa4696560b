"""QTI 1.2 as Canvas classic quizzes read it: the package Canvas imports, the documented item of
each type read back, losses by question id, problems at their line, untrusted XML and zips
refused, and a round trip of the shipped banks."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import defusedxml.ElementTree as defused
import pytest

from quizapp.banks import citation_label, load_bank, parse_bank
from quizapp.interchange import EXPORTERS, IMPORTERS, Loss, bank_yaml, qti
from quizapp.interchange.qti import read_package
from quizapp.interchange.xmltext import parse_xml
from tests.factories import canvas_package, zipped

DATA = Path(__file__).parent.parent / "data" / "interchange" / "qti"
ROOT = Path(__file__).parent.parent.parent
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"


def import_qti(text: str):
    return IMPORTERS["qti"](text)


def bank_of(questions: str):
    return parse_bank(f"title: T\nquestions:\n{questions}", "t.yaml", "t")


# --- import --------------------------------------------------------------------------------------


def test_canvas_items_of_each_type_become_bank_fields():
    imported = import_qti((DATA / "canvas-quiz.xml").read_text())

    assert imported.problems == []
    assert imported.title == "CSTO review"
    assert imported.questions == [
        {
            "id": "who-turned-down-the-2010-request",
            "type": "single",
            "prompt": "Who turned down the 2010 request?",
            "choices": ["Dmitry Medvedev", "Vladimir Putin", "Alexander Lukashenko"],
            "answer": "Dmitry Medvedev",
            "feedback": {"Vladimir Putin": "He was prime minister."},
            "points": 2,
            "explanation": "He called it an internal matter.",
        },
        {
            "id": "members",
            "type": "multi",
            "prompt": "Which of these states are members?",
            "choices": ["Russia", "Georgia", "Belarus"],
            "answer": ["Russia", "Belarus"],
        },
        {
            "id": "every-member-sent-troops-in-2022",
            "type": "true_false",
            "prompt": "Every member sent troops in 2022.",
            "answer": False,
            "feedback": {"true": "Look again at who went."},
        },
        {
            "id": "reason",
            "type": "text",
            "prompt": 'Medvedev called the unrest an "____ matter".',
            "answer": ["internal", "internal matter"],
        },
        {
            "id": "treaty-year",
            "type": "numeric",
            "prompt": "In which year was the treaty signed?",
            "answer": 1992,
            "tolerance": 1,
        },
        {
            "id": "troops",
            "type": "numeric",
            "prompt": "How many thousand troops went?",
            "answer": 2.5,
            "tolerance": 0.5,
        },
        {
            "id": "leaders",
            "type": "match",
            "prompt": "Match each leader to the country they led.",
            "answer": {"Tokayev": "Kazakhstan", "Lukashenko": "Belarus"},
            "distractors": ["Armenia"],
        },
    ]
    assert imported.lines["who-turned-down-the-2010-request"] == 10
    assert imported.lines["leaders"] == 183


def test_canvas_items_report_what_quizapp_cannot_hold_by_question():
    imported = import_qti((DATA / "canvas-quiz.xml").read_text())

    assert [str(loss) for loss in imported.losses] == [
        "who-turned-down-the-2010-request: the formatting of the question text (<strong>): imported as "
        "plain text",
        "who-turned-down-the-2010-request: the feedback 'correct_fb' (quizapp has per-choice feedback)",
        "why: an essay question has no quizapp type: not imported",
    ]


def test_a_canvas_package_is_read_through_its_manifest():
    from_package = read_package(canvas_package())

    assert from_package == import_qti((DATA / "canvas-quiz.xml").read_text())


def test_canvas_quiz_settings_give_the_title_and_a_fixed_choice_order():
    imported = read_package(canvas_package(title="CSTO review, fixed order", shuffled=False))

    assert imported.title == "CSTO review, fixed order"
    assert {q["id"]: q.get("shuffle") for q in imported.questions if q["type"] in {"single", "multi"}} == {
        "who-turned-down-the-2010-request": False,
        "members": False,
    }
    assert all("shuffle" not in q for q in imported.questions if q["type"] not in {"single", "multi"})


def test_the_packages_text_carries_its_quiz_settings_wherever_it_goes_on_its_own_lines():
    """The import page's preview carries the package's text to its confirm button, and the command
    line reads the same text: the settings are written into it, as QTI says them, and every
    element stays on its line of the file in the package (where a problem found in it is)."""
    package = canvas_package(title="CSTO review, fixed order", shuffled=False)
    original = (DATA / "canvas-quiz.xml").read_text()

    text = str(qti.package_document(package))

    assert import_qti(text) == read_package(package)
    assert import_qti(text).title == "CSTO review, fixed order"
    items, written = parse_xml(original), parse_xml(text)
    assert [items.line(e) for e in items.root.iter()] == [written.line(e) for e in written.root.iter()]
    # Settings that change nothing leave the text as Canvas wrote it.
    assert qti.package_document(canvas_package()) == original


def test_a_render_choice_with_shuffle_no_keeps_its_choices_in_order_and_others_shuffle():
    text = (DATA / "canvas-quiz.xml").read_text()
    fixed = text.replace("<render_choice>", '<render_choice shuffle="No">', 1)

    before, after = import_qti(text).questions, import_qti(fixed).questions

    changed = [q["id"] for q, r in zip(before, after, strict=True) if q != r]
    assert len(changed) == 1
    assert next(q for q in after if q["id"] == changed[0])["shuffle"] is False
    assert all("shuffle" not in q for q in before)


def test_a_package_without_quiz_settings_is_read_from_its_assessment_alone():
    package = zipped(
        {
            "imsmanifest.xml": (DATA / "package" / "imsmanifest.xml").read_text(),
            "g0a1b2c3d4/g0a1b2c3d4.xml": (DATA / "canvas-quiz.xml").read_text(),
        }
    )

    imported = read_package(package)

    assert imported.problems == []
    assert imported.title == "CSTO review"
    assert imported.questions == import_qti((DATA / "canvas-quiz.xml").read_text()).questions


def test_quiz_settings_with_a_doctype_are_refused_naming_the_file(no_network: list[object]):
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">]>\n<quiz><title>&a;</title></quiz>'
    )
    package = zipped(
        {
            "imsmanifest.xml": (DATA / "package" / "imsmanifest.xml").read_text(),
            "g0a1b2c3d4/g0a1b2c3d4.xml": (DATA / "canvas-quiz.xml").read_text(),
            "g0a1b2c3d4/assessment_meta.xml": bomb,
        }
    )

    imported = read_package(package)

    assert [p.line for p in imported.problems] == [2]
    assert imported.problems[0].message.startswith("g0a1b2c3d4/assessment_meta.xml: the DOCTYPE declaration")
    assert no_network == []


def test_imported_questions_make_a_bank_the_validator_accepts():
    imported = read_package(canvas_package())

    bank = parse_bank(bank_yaml(imported, imported.title or ""), "imported.yaml", "imported")

    assert len(bank.questions) == 7


def true_false_item(n: int) -> str:
    return (
        f'<item ident="i{n}" title="Q{n}"><presentation><material>'
        f'<mattext texttype="text/plain">Statement {n}</mattext></material>'
        '<response_lid ident="response1"><render_choice>'
        '<response_label ident="1"><material><mattext>True</mattext></material></response_label>'
        '<response_label ident="2"><material><mattext>False</mattext></material></response_label>'
        '</render_choice></response_lid></presentation><resprocessing><respcondition continue="No">'
        '<conditionvar><varequal respident="response1">1</varequal></conditionvar>'
        '<setvar action="Set" varname="SCORE">100</setvar></respcondition></resprocessing></item>'
    )


def canvas_quiz(*sections: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">\n'
        '<assessment ident="a" title="Quiz"><section ident="root_section">\n'
        f"{true_false_item(1)}\n{''.join(sections)}</section></assessment></questestinterop>\n"
    )


def group(title: str, pick: int, points: str, body: str) -> str:
    """A Canvas question group: a section whose selection picks ``pick`` questions."""
    return (
        f'<section ident="g" title="{title}"><selection_ordering><selection>\n{body}'
        f"<selection_number>{pick}</selection_number><selection_extension>"
        f"<points_per_item>{points}</points_per_item></selection_extension></selection>"
        "</selection_ordering>\n"
    )


def test_a_canvas_question_group_is_reported_and_its_questions_imported_each_on_its_own():
    imported = import_qti(
        canvas_quiz(
            group("Pick two", 2, "3.0", "") + "".join(true_false_item(n) for n in (2, 3, 4)) + "</section>"
        )
    )

    assert imported.problems == []
    assert [q["prompt"] for q in imported.questions] == [f"Statement {n}" for n in (1, 2, 3, 4)]
    assert imported.losses == [
        Loss(
            "group Pick two",
            "the question group 'Pick two' (pick 2 of its 3 questions, 3 points each): "
            "each of its questions is imported on its own, with its own points",
        )
    ]


def test_a_group_drawing_on_a_linked_canvas_bank_is_a_problem_at_its_line():
    imported = import_qti(
        canvas_quiz(
            group("From a bank", 3, "2.0", "<sourcebank_ref>i0a1b2c3</sourcebank_ref>") + "</section>"
        )
    )

    assert [str(p) for p in imported.problems] == [
        "line 5: the question group 'From a bank' picks 3 questions from a linked Canvas question bank, "
        "and questions from a linked Canvas bank are not in the file: export that bank from Canvas "
        "and import it, or remove the group"
    ]


def test_an_item_without_canvas_metadata_is_read_by_its_shape():
    text = (DATA / "canvas-quiz.xml").read_text()
    plain = text.replace("<fieldentry>multiple_answers_question</fieldentry>", "<fieldentry></fieldentry>")

    imported = import_qti(plain)

    assert imported.questions[1]["type"] == "multi"
    assert imported.questions[1]["answer"] == ["Russia", "Belarus"]


def test_an_asymmetric_numeric_range_is_centred_on_the_answer_and_reported():
    text = (
        (DATA / "canvas-quiz.xml")
        .read_text()
        .replace('<varlte respident="response1">1993.0', '<varlte respident="response1">1994.0')
    )

    imported = import_qti(text)

    assert imported.questions[4]["tolerance"] == 2
    assert (
        "treaty-year: the range 1991 to 1994 is not centred on the answer: quizapp accepts ± the wider side"
        in [str(loss) for loss in imported.losses]
    )


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<quiz/>", "line 1: a QTI 1.2 file starts with <questestinterop>, not <quiz>"),
        (
            "<questestinterop>\n<assessment>\n</questestinterop>",
            "line 3: this is not well-formed XML (mismatched tag)",
        ),
        (
            "<questestinterop><assessment title='Empty'/></questestinterop>",
            "line 1: the file holds no question",
        ),
    ],
)
def test_files_that_are_not_qti_are_refused_at_their_line(text: str, problem: str):
    imported = import_qti(text)

    assert [str(p) for p in imported.problems] == [problem]
    assert imported.questions == []


def test_an_item_without_a_full_mark_condition_is_a_problem_at_its_line_and_the_others_are_kept():
    text = (DATA / "canvas-quiz.xml").read_text()
    broken = text.replace(
        '<setvar action="Set" varname="SCORE">100</setvar>\n          </respcondition>\n        </resprocessing>\n      </item>\n\n      <item ident="i1003"',
        '<setvar action="Set" varname="SCORE">50</setvar>\n          </respcondition>\n        </resprocessing>\n      </item>\n\n      <item ident="i1003"',
    )
    assert broken != text

    imported = import_qti(broken)

    assert [str(p) for p in imported.problems] == [
        "line 51: item 'members' has no condition that gives full marks"
    ]
    assert "members" not in [q["id"] for q in imported.questions]
    assert len(imported.questions) == 6


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not a zip at all", "line 1: this is not a zip file (a QTI package is one)"),
        (
            zipped({"imsmanifest.xml": "<manifest/>"}),
            "line 1: the package holds no QTI document; import one assessment at a time",
        ),
        (
            zipped({"a/a.xml": "<questestinterop/>", "b/b.xml": "<questestinterop/>"}),
            "line 1: the package holds 2 QTI documents; import one assessment at a time",
        ),
        (zipped({"a.xml": b"\xff\xfe<questestinterop/>"}), "line 1: a.xml is not UTF-8 text"),
    ],
)
def test_packages_that_cannot_be_read_are_refused_with_a_message(data: bytes, problem: str):
    imported = read_package(data)

    assert [str(p) for p in imported.problems] == [problem]


def damaged(package: bytes, member: str) -> bytes:
    """``package`` with a byte of ``member``'s compressed data flipped, as a broken download has it:
    its directory still reads, the member does not."""
    data = bytearray(package)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(member)
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5] ^= 0xFF
    return bytes(data)


def encrypted(package: bytes) -> bytes:
    """``package`` with its first member marked encrypted (local header and central directory)."""
    data = bytearray(package)
    data[6] |= 1
    data[data.find(b"PK\x01\x02") + 8] |= 1
    return bytes(data)


def unknown_compression(package: bytes) -> bytes:
    """``package`` with its first member marked as compressed by a method zipfile lacks (99, the
    AES of WinZip), in its local header and the central directory."""
    data = bytearray(package)
    data[8:10] = (99).to_bytes(2, "little")
    at = data.find(b"PK\x01\x02") + 10
    data[at : at + 2] = (99).to_bytes(2, "little")
    return bytes(data)


def exported_package() -> bytes:
    data = EXPORTERS["qti"](bank_of("  - {id: q, type: true_false, prompt: P?, answer: true}\n")).data
    assert data is not None
    return data


ASSESSMENT = "quizapp-t/quizapp-t.xml"
DAMAGED = "line 1: the package is damaged or encrypted (download or export it again, without a password)"


@pytest.mark.parametrize(
    "data",
    [
        damaged(exported_package(), ASSESSMENT),
        damaged(exported_package(), "imsmanifest.xml"),
        encrypted(zipped({"quiz.xml": "<questestinterop/>"})),
        encrypted(exported_package()),
        unknown_compression(zipped({"quiz.xml": "<questestinterop/>"})),
    ],
    ids=["assessment-damaged", "manifest-damaged", "encrypted", "encrypted-manifest", "unknown-compression"],
)
def test_a_damaged_or_encrypted_package_is_a_problem_not_a_crash(data: bytes):
    imported = read_package(data)

    assert [str(p) for p in imported.problems] == [DAMAGED]
    assert imported.questions == []


def test_damaged_quiz_settings_are_a_problem_naming_the_file():
    imported = read_package(damaged(exported_package(), "quizapp-t/assessment_meta.xml"))

    assert [str(p) for p in imported.problems] == [
        "line 1: quizapp-t/assessment_meta.xml: the package is damaged or encrypted here"
    ]


def test_a_billion_laughs_bomb_is_refused(no_network: list[object]):
    laughs = "".join(f'<!ENTITY l{n} "{"".join(f"&l{n - 1};" for _ in range(10))}">' for n in range(1, 10))
    text = f'<?xml version="1.0"?>\n<!DOCTYPE questestinterop [<!ENTITY l0 "lol">{laughs}]>\n<questestinterop>&l9;</questestinterop>'

    imported = import_qti(text)

    assert [p.line for p in imported.problems] == [2]
    assert "DOCTYPE declaration is refused" in imported.problems[0].message


def test_an_external_entity_in_a_package_is_refused_and_the_file_never_read(
    tmp_path: Path, no_network: list[object]
):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ON-DISK")
    text = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE questestinterop [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<questestinterop><assessment title="&x;"/></questestinterop>'
    )

    imported = read_package(zipped({"q/q.xml": text}))

    assert [p.line for p in imported.problems] == [2]
    assert "SECRET-ON-DISK" not in repr(imported)
    assert no_network == []


def test_an_external_dtd_is_refused_and_never_fetched(no_network: list[object]):
    text = '<?xml version="1.0"?>\n<!DOCTYPE questestinterop SYSTEM "http://127.0.0.1:9/qti.dtd">\n<questestinterop/>'

    imported = import_qti(text)

    assert [p.line for p in imported.problems] == [2]
    assert "'http://127.0.0.1:9/qti.dtd', which is never fetched" in imported.problems[0].message
    assert no_network == []


# --- export --------------------------------------------------------------------------------------


def manifest_resources(manifest: str) -> list[tuple[str | None, list[str | None], list[str | None]]]:
    """Each resource of a manifest: its type, its files, the resources it depends on."""
    return [
        (
            resource.get("type"),
            [file.get("href") for file in resource.iter(f"{{{CP}}}file")],
            [dependency.get("identifierref") for dependency in resource.iter(f"{{{CP}}}dependency")],
        )
        for resource in defused.fromstring(manifest).iter(f"{{{CP}}}resource")
    ]


def test_export_is_a_package_shaped_as_canvas_exports_a_quiz_with_its_settings_beside_it():
    bank = load_bank(ROOT / "tests/data/every-type.yaml")

    exported = EXPORTERS["qti"](bank)

    assert exported.data is not None
    with zipfile.ZipFile(io.BytesIO(exported.data)) as package:
        assert sorted(package.namelist()) == [
            "imsmanifest.xml",
            "quizapp-every-type/assessment_meta.xml",
            "quizapp-every-type/quizapp-every-type.xml",
        ]
        manifest = package.read("imsmanifest.xml").decode()
        assessment = package.read("quizapp-every-type/quizapp-every-type.xml").decode()
    # Canvas's importer reads a quiz's settings only from a file named <assessment ident>/
    # assessment_meta.xml in a resource whose type ends "learning-application-resource"
    # (lib/cc/importer/canvas/quiz_metadata_converter.rb, post_process_assessments).
    assert manifest_resources(manifest) == [
        ("imsqti_xmlv1p2", ["quizapp-every-type/quizapp-every-type.xml"], ["quizapp-every-type-meta"]),
        (
            "associatedcontent/imscc_xmlv1p1/learning-application-resource",
            ["quizapp-every-type/assessment_meta.xml"],
            [],
        ),
    ]
    assert assessment == exported.text
    assert 'xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2"' in assessment
    assert '<assessment ident="quizapp-every-type" title="Every type">' in assessment


def quiz_meta(exported) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(exported.data)) as package:
        name = next(n for n in package.namelist() if n.endswith("/assessment_meta.xml"))
        root = defused.fromstring(package.read(name))
    return {child.tag.rpartition("}")[2]: child.text or "" for child in root}


def test_export_settings_make_canvas_create_a_graded_quiz_titled_and_worth_the_banks_points():
    bank = bank_of(
        "  - {id: a, type: single, prompt: P, choices: [A, B], answer: A, points: 2}\n"
        "  - {id: b, type: numeric, prompt: N?, answer: 3, points: 1.5}\n"
        "  - {id: o, type: order, prompt: P, answer: [A, B], points: 4}\n"
    )

    meta = quiz_meta(EXPORTERS["qti"](bank))

    # The fields get_quiz_meta reads (quiz_metadata_converter.rb): quiz_type "assignment" is a
    # graded quiz, and points_possible its total; the order question is not exported.
    assert meta == {
        "title": "T",
        "description": "",
        "shuffle_answers": "true",
        "scoring_policy": "keep_highest",
        "quiz_type": "assignment",
        "points_possible": "3.5",
    }


def test_export_shuffles_a_quiz_only_when_every_choice_question_does_and_reports_the_others():
    bank = bank_of(
        "  - {id: fixed, type: single, prompt: P, choices: [A, None of these], answer: A, shuffle: false}\n"
        "  - {id: free, type: multi, prompt: P, choices: [A, B, C], answer: [A, B]}\n"
        "  - {id: tf, type: true_false, prompt: P, answer: true}\n"
    )

    exported = EXPORTERS["qti"](bank)
    imported = read_package(exported.data or b"")

    assert quiz_meta(exported)["shuffle_answers"] == "false"
    assert [str(loss) for loss in exported.losses if loss.question_id != "all"] == [
        "free: shuffle: true (Canvas shuffles the choices of every question of a quiz or of none, "
        "and another question here has shuffle: false)"
    ]
    assert [q.get("shuffle") for q in imported.questions] == [False, False, None]


def test_export_writes_a_numeric_tolerance_as_canvas_bounds():
    bank = bank_of("  - {id: n, type: numeric, prompt: N?, answer: 1992, tolerance: 1.5}\n")

    text = EXPORTERS["qti"](bank).text

    assert '<varequal respident="response1">1992</varequal>' in text
    assert '<vargte respident="response1">1990.5</vargte>' in text
    assert '<varlte respident="response1">1993.5</varlte>' in text


def test_export_leaves_out_order_questions_and_reports_each_other_loss():
    bank = bank_of(
        "  - {id: o, type: order, prompt: P, answer: [A, B]}\n"
        "  - {id: t, type: text, prompt: Who?, answer: Wesley Culp, wrong: [Wesley Clark], typos: 1, tags: [people]}\n"
        "  - {id: n, type: numeric, prompt: How far?, answer: 5, unit: km}\n"
        "  - {id: s, type: single, prompt: P, choices: [A, None of these], answer: A, shuffle: false}\n"
    )

    exported = EXPORTERS["qti"](bank)

    assert 'title="o"' not in exported.text
    assert [str(loss) for loss in exported.losses] == [
        "o: the whole question: Canvas classic quizzes have no ordering type",
        "t: the tags (people): Canvas questions have none",
        "t: the known wrong answers (Wesley Clark)",
        "t: typos: 1 (Canvas matches exactly)",
        "n: the unit 'km'",
    ]
    # The one choice question keeps its order: the whole quiz is not shuffled.
    assert quiz_meta(exported)["shuffle_answers"] == "false"


def test_export_escapes_text_so_canvas_shows_it_as_written():
    bank = bank_of("  - {id: e, type: true_false, prompt: 'Is <b>this</b> & that true?', answer: true}\n")

    exported = EXPORTERS["qti"](bank)

    assert "&amp;lt;b&amp;gt;this&amp;lt;/b&amp;gt; &amp;amp; that" in exported.text
    assert import_qti(exported.text).questions[0]["prompt"] == "Is <b>this</b> & that true?"


# --- round trip ----------------------------------------------------------------------------------

#: What QTI cannot hold of a question, and the value the loader gives it when absent.
LOST_FIELDS = {"source": (), "typos": 0, "tags": (), "wrong": (), "unit": ""}


@pytest.mark.parametrize("path", ["questions/csto-2022.yaml", "tests/data/every-type.yaml"])
def test_round_trip_keeps_every_question_canvas_holds_and_loses_exactly_what_it_reports(path: str):
    bank = load_bank(ROOT / path)

    exported = EXPORTERS["qti"](bank)
    imported = read_package(exported.data or b"")
    back = parse_bank(bank_yaml(imported, imported.title or ""), "back.yaml", "back")

    assert imported.problems == []
    assert imported.losses == []
    assert back.title == bank.title
    kept = [q for q in bank.questions.values() if q.type != "order"]
    assert list(back.questions) == [q.id for q in kept]
    shuffled = all(getattr(q, "shuffle", True) for q in kept)
    for question in kept:
        lost = {name: empty for name, empty in LOST_FIELDS.items() if getattr(question, name, empty) != empty}
        if hasattr(question, "shuffle"):
            lost["shuffle"] = shuffled
        assert back.questions[question.id] == dataclasses.replace(question, **lost)
    assert list(exported.losses) == expected_losses(bank)


def expected_losses(bank) -> list[Loss]:
    """What QTI cannot carry of ``bank``, in the order the export lists it."""
    expected = (
        [Loss("(bank)", f"the source '{bank.source.title}': QTI has no citations")] if bank.source else []
    )
    expected += [
        Loss(quiz.id, f"the quiz '{quiz.title}' and its settings: QTI holds questions only")
        for quiz in bank.quizzes.values()
    ]
    expected += [Loss(card.id, f"the flashcard '{card.front}': QTI has no flashcards") for card in bank.cards]
    shuffled = all(getattr(q, "shuffle", True) for q in bank.questions.values() if q.type != "order")
    for q in bank.questions.values():
        if q.type == "order":
            expected.append(Loss(q.id, "the whole question: Canvas classic quizzes have no ordering type"))
            continue
        if q.source:
            expected.append(Loss(q.id, f"the source citation ({', '.join(map(citation_label, q.source))})"))
        if q.tags:
            expected.append(Loss(q.id, f"the tags ({', '.join(q.tags)}): Canvas questions have none"))
        if getattr(q, "shuffle", False) and not shuffled:
            expected.append(
                Loss(
                    q.id,
                    "shuffle: true (Canvas shuffles the choices of every question of a quiz or of none, "
                    "and another question here has shuffle: false)",
                )
            )
        if getattr(q, "wrong", ()):
            expected.append(Loss(q.id, f"the known wrong answers ({', '.join(q.wrong)})"))
        if getattr(q, "typos", 0):
            expected.append(Loss(q.id, f"typos: {q.typos} (Canvas matches exactly)"))
        if getattr(q, "unit", ""):
            expected.append(Loss(q.id, f"the unit '{q.unit}'"))
    return expected
