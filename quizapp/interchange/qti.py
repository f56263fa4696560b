"""QTI 1.2 (``qti``) as Canvas classic quizzes import and export it: a zip of ``imsmanifest.xml``
and one assessment, each question an ``<item>`` whose ``question_type`` metadata Canvas reads
(docs/interchange.md lists what each type keeps and loses).

Written with ElementTree rather than text2qti: text2qti writes from its own Markdown-like text
(which would need a second writer and escaper), has neither matching nor ordering and reads no
QTI back; the item shapes Canvas reads are few and plain."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET  # noqa: S405 - builds the export; imports parse through defusedxml
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

from quizapp.banks import Bank
from quizapp.interchange.ids import make_id
from quizapp.interchange.model import Exported, Imported, LineProblem, Loss, exporter, importer
from quizapp.interchange.xmltext import (
    XmlDocument,
    XmlRefused,
    bank_losses,
    child_text,
    citation_loss,
    html_to_text,
    lost_markup,
    number_value,
    parse_xml,
    sub,
    text_to_html,
    to_xml,
    white_space_loss,
)
from quizapp.questions import (
    Matching,
    MultipleChoice,
    Numeric,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
    format_number,
)

FORMAT = "qti"
_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_MANIFEST_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
_CANVAS_NAMESPACE = "http://canvas.instructure.com/xsd/cccv1p0"
#: The file of a quiz's Canvas settings, in the folder named after its assessment's ident: where
#: Canvas's importer looks for it (``QuizMetadataConverter#post_process_assessments``).
QUIZ_META = "assessment_meta.xml"
#: The manifest resource type under which Canvas's importer looks for a quiz's settings file.
_META_RESOURCE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
#: The largest document a package may hold: the bank loader's limit for a bank file.
MAX_DOCUMENT = 32 * 1024 * 1024
#: The feedback Canvas shows for a whole item: always (an explanation), when right, when wrong.
_GENERAL_FEEDBACK = frozenset({"general_fb", "correct_fb", "general_incorrect_fb"})
#: Canvas question types quizapp has none of, as Canvas names them.
_OTHER_TYPES = {
    "essay_question": "an essay question",
    "file_upload_question": "a file upload question",
    "fill_in_multiple_blanks_question": "a fill in multiple blanks question",
    "multiple_dropdowns_question": "a multiple dropdowns question",
    "calculated_question": "a formula question",
    "text_only_question": "a text-only item (no question)",
    "ordering_question": "an ordering question (New Quizzes only)",
}


# ---------------------------------------------------------------------------------------------
# Export


@exporter(FORMAT)
def export_qti(bank: Bank) -> Exported:
    """Write a bank as a Canvas QTI package: ``data`` is the zip to upload (Course > Settings >
    Import course content > QTI .zip file), ``text`` its assessment. Canvas makes it one graded
    quiz, titled and worth the bank's points, left unpublished. Order questions, which Canvas
    classic quizzes lack, are left out and listed as losses with all else lost."""
    losses = bank_losses(bank, "QTI")
    ident = f"quizapp-{bank.slug}"
    root = ET.Element("questestinterop", xmlns=_NAMESPACE)
    assessment = sub(root, "assessment", ident=ident, title=bank.title)
    section = sub(assessment, "section", ident="root_section")
    written = [question for question in bank.questions.values() if type(question) in _WRITERS]
    shuffled = all(q.shuffle for q in written if isinstance(q, SingleChoice | MultipleChoice))
    for question in bank.questions.values():
        if type(question) not in _WRITERS:
            kind = (question.label or question.type).lower()
            losses.append(
                Loss(question.id, f"the whole question: Canvas classic quizzes have no {kind} type")
            )
            continue
        losses.extend(loss for loss in (citation_loss(question), white_space_loss(question)) if loss)
        if question.tags:
            losses.append(
                Loss(question.id, f"the tags ({', '.join(question.tags)}): Canvas questions have none")
            )
        if getattr(question, "shuffle", False) and not shuffled:
            losses.append(
                Loss(
                    question.id,
                    "shuffle: true (Canvas shuffles the choices of every question of a quiz or of "
                    "none, and another question here has shuffle: false)",
                )
            )
        section.append(_item(question, f"{ident}-{question.id}", losses))
    text = to_xml(root)
    points = format_number(sum(question.points for question in written))
    meta = _quiz_meta(ident, bank, points, shuffled)
    return Exported(text, tuple(losses), _package(ident, text, meta))


def _quiz_meta(ident: str, bank: Bank, points: str, shuffled: bool) -> str:
    """The quiz's Canvas settings, as Canvas's own export writes them and its importer reads them
    (``QuizMetadataConverter#get_quiz_meta``): without them Canvas makes an ungraded quiz."""
    quiz = ET.Element("quiz", identifier=ident, xmlns=_CANVAS_NAMESPACE)
    sub(quiz, "title", bank.title)
    sub(quiz, "description", text_to_html(bank.description))
    sub(quiz, "shuffle_answers", "true" if shuffled else "false")
    sub(quiz, "scoring_policy", "keep_highest")
    sub(quiz, "quiz_type", "assignment")
    sub(quiz, "points_possible", points)
    return to_xml(quiz)


def _package(ident: str, assessment: str, meta: str) -> bytes:
    """The zip Canvas imports, shaped as Canvas's own QTI export: the assessment resource, and the
    settings file in a resource of its own that the assessment depends on."""
    manifest = ET.Element("manifest", identifier=f"{ident}-manifest", xmlns=_MANIFEST_NAMESPACE)
    metadata = sub(manifest, "metadata")
    sub(metadata, "schema", "IMS Content")
    sub(metadata, "schemaversion", "1.1.3")
    sub(manifest, "organizations")
    resources = sub(manifest, "resources")
    resource = sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
    sub(resource, "file", href=f"{ident}/{ident}.xml")
    sub(resource, "dependency", identifierref=f"{ident}-meta")
    meta_path = f"{ident}/{QUIZ_META}"
    settings = sub(resources, "resource", identifier=f"{ident}-meta", type=_META_RESOURCE, href=meta_path)
    sub(settings, "file", href=meta_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("imsmanifest.xml", to_xml(manifest))
        package.writestr(f"{ident}/{ident}.xml", assessment)
        package.writestr(meta_path, meta)
    return buffer.getvalue()


def _item(question: Question, ident: str, losses: list[Loss]) -> ET.Element:
    kind, write = _WRITERS[type(question)]
    item = ET.Element("item", ident=ident, title=question.id)
    metadata = sub(sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", kind), ("points_possible", format_number(question.points))):
        field = sub(metadata, "qtimetadatafield")
        sub(field, "fieldlabel", label)
        sub(field, "fieldentry", entry)
    presentation = sub(item, "presentation")
    _material(presentation, question.prompt)
    processing = ET.Element("resprocessing")
    outcomes = sub(processing, "outcomes")
    sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    if question.explanation:
        # Canvas shows the general feedback after submission, right or wrong: an explanation.
        _show_feedback(processing, None, "general_fb")
    feedback = write(presentation, processing, question, losses)
    item.append(processing)
    for link, text in [("general_fb", question.explanation), *feedback.items()]:
        if text:
            shown = sub(item, "itemfeedback", ident=link)
            _material(sub(shown, "flow_mat"), text)
    return item


def _material(parent: ET.Element, text: str, html: bool = True) -> None:
    material = sub(parent, "material")
    sub(
        material,
        "mattext",
        text_to_html(text) if html else text,
        texttype="text/html" if html else "text/plain",
    )


def _show_feedback(processing: ET.Element, condition: ET.Element | None, link: str) -> None:
    shown = sub(processing, "respcondition", **{"continue": "Yes"})
    if condition is None:
        sub(sub(shown, "conditionvar"), "other")
    else:
        shown.append(condition)
    sub(shown, "displayfeedback", feedbacktype="Response", linkrefid=link)


def _score(processing: ET.Element, condition: ET.Element, score: str = "100", action: str = "Set") -> None:
    scored = sub(processing, "respcondition", **{"continue": "No" if action == "Set" else "Yes"})
    scored.append(condition)
    sub(scored, "setvar", score, action=action, varname="SCORE")


def _equal(value: str, respident: str = "response1") -> ET.Element:
    condition = ET.Element("conditionvar")
    sub(condition, "varequal", value, respident=respident)
    return condition


def _choice_list(presentation: ET.Element, options: list[str], several: bool = False) -> list[str]:
    """A ``response_lid`` of the options; their idents, in order."""
    lid = sub(
        presentation, "response_lid", ident="response1", rcardinality="Multiple" if several else "Single"
    )
    render = sub(lid, "render_choice")
    idents = []
    for n, option in enumerate(options, 1):
        label = sub(render, "response_label", ident=str(n))
        _material(label, option, html=False)
        idents.append(str(n))
    return idents


def _write_single(
    presentation: ET.Element, processing: ET.Element, question: Any, losses: list[Loss]
) -> dict[str, str]:
    idents = _choice_list(presentation, list(question.choices))
    by_choice = dict(zip(question.choices, idents, strict=True))
    feedback = {}
    for choice, said in question.feedback_by_choice.items():
        _show_feedback(processing, _equal(by_choice[choice]), f"{by_choice[choice]}_fb")
        feedback[f"{by_choice[choice]}_fb"] = said
    _score(processing, _equal(by_choice[question.answer]))
    return feedback


def _write_multi(
    presentation: ET.Element, processing: ET.Element, question: Any, losses: list[Loss]
) -> dict[str, str]:
    idents = _choice_list(presentation, list(question.choices), several=True)
    by_choice = dict(zip(question.choices, idents, strict=True))
    feedback = {}
    for choice, said in question.feedback_by_choice.items():
        _show_feedback(processing, _equal(by_choice[choice]), f"{by_choice[choice]}_fb")
        feedback[f"{by_choice[choice]}_fb"] = said
    # Canvas grades a multiple answers question by its own partial-credit rule, as quizapp does:
    # the condition names the full answer.
    condition = ET.Element("conditionvar")
    every = sub(condition, "and")
    for choice in question.choices:
        if choice in question.answer:
            sub(every, "varequal", by_choice[choice], respident="response1")
        else:
            sub(sub(every, "not"), "varequal", by_choice[choice], respident="response1")
    _score(processing, condition)
    return feedback


def _write_true_false(
    presentation: ET.Element, processing: ET.Element, question: Any, losses: list[Loss]
) -> dict[str, str]:
    true_ident, false_ident = _choice_list(presentation, ["True", "False"])
    idents = {"true": true_ident, "false": false_ident}
    feedback = {}
    for value, said in question.feedback_by_choice.items():
        _show_feedback(processing, _equal(idents[value]), f"{idents[value]}_fb")
        feedback[f"{idents[value]}_fb"] = said
    right = idents["true" if question.answer else "false"]
    _score(processing, _equal(right))
    return feedback


def _blank(presentation: ET.Element, numeric: bool) -> None:
    blank = sub(presentation, "response_str", ident="response1", rcardinality="Single")
    render = sub(blank, "render_fib", fibtype="Decimal") if numeric else sub(blank, "render_fib")
    sub(render, "response_label", ident="answer1", rshuffle="No")


def _write_text(
    presentation: ET.Element, processing: ET.Element, question: Any, losses: list[Loss]
) -> dict[str, str]:
    if question.wrong:
        losses.append(Loss(question.id, f"the known wrong answers ({', '.join(question.wrong)})"))
    if question.typos:
        losses.append(Loss(question.id, f"typos: {question.typos} (Canvas matches exactly)"))
    _blank(presentation, numeric=False)
    condition = ET.Element("conditionvar")
    for accepted in question.answer:
        sub(condition, "varequal", accepted, respident="response1")
    _score(processing, condition)
    return {}


def _write_numeric(
    presentation: ET.Element, processing: ET.Element, question: Any, losses: list[Loss]
) -> dict[str, str]:
    if question.unit:
        losses.append(Loss(question.id, f"the unit '{question.unit}'"))
    _blank(presentation, numeric=True)
    condition = ET.Element("conditionvar")
    either = sub(condition, "or")
    sub(either, "varequal", format_number(question.answer), respident="response1")
    within = sub(either, "and")
    low, high = question.answer - question.tolerance, question.answer + question.tolerance
    sub(within, "vargte", format_number(low), respident="response1")
    sub(within, "varlte", format_number(high), respident="response1")
    _score(processing, condition)
    return {}


def _write_matching(
    presentation: ET.Element, processing: ET.Element, question: Any, losses: list[Loss]
) -> dict[str, str]:
    options = list(dict.fromkeys([right for _, right in question.answer] + list(question.distractors)))
    option_idents = {option: str(n) for n, option in enumerate(options, 1)}
    share = format_number(round(100 / len(question.answer), 5))
    for n, (left, right) in enumerate(question.answer, 1):
        lid = sub(presentation, "response_lid", ident=f"response_{n}")
        _material(lid, left, html=False)
        render = sub(lid, "render_choice")
        for option in options:
            _material(sub(render, "response_label", ident=option_idents[option]), option, html=False)
        _score(processing, _equal(option_idents[right], f"response_{n}"), share, action="Add")
    return {}


#: Each quizapp type Canvas has: its Canvas type, and its writer, which notes what Canvas cannot hold
#: of it and returns the item's feedback texts by ident.
_WRITERS: dict[
    type[Question], tuple[str, Callable[[ET.Element, ET.Element, Any, list[Loss]], dict[str, str]]]
] = {
    SingleChoice: ("multiple_choice_question", _write_single),
    MultipleChoice: ("multiple_answers_question", _write_multi),
    TrueFalse: ("true_false_question", _write_true_false),
    ShortText: ("short_answer_question", _write_text),
    Numeric: ("numerical_question", _write_numeric),
    Matching: ("matching_question", _write_matching),
}


# ---------------------------------------------------------------------------------------------
# Import


@importer(FORMAT)
def import_qti(text: str) -> Imported:
    """Read a QTI 1.2 assessment (the XML inside a Canvas package; ``read_package`` opens the zip):
    every item of a type quizapp has, as bank fields; the assessment's title as the title."""
    imported = Imported()
    try:
        document = parse_xml(text)
    except XmlRefused as refused:
        imported.problems.append(refused.problem)
        return imported
    root = document.root
    if root.tag != "questestinterop":
        imported.problems.append(
            LineProblem(
                document.line(root), f"a QTI 1.2 file starts with <questestinterop>, not <{root.tag}>"
            )
        )
        return imported
    assessment = root.find("assessment")
    if assessment is not None and assessment.get("title"):
        imported.title = assessment.get("title")
    reading = _Reading(document, imported)
    for section in root.iter("section"):
        _question_group(document, section, imported)
    for item in root.iter("item"):
        reading.item(item)
    if not imported.questions and not imported.problems:
        imported.problems.append(LineProblem(document.line(root), "the file holds no question"))
    return imported


def _question_group(document: XmlDocument, section: ET.Element, imported: Imported) -> None:
    """Report a Canvas question group ("pick 2 of these, 3 points each"): a section with a
    ``<selection>``, which a bank cannot hold; one linked to a Canvas question bank
    (``<sourcebank_ref>``) has none of its questions in the file."""
    selection = section.find("selection_ordering/selection")
    if selection is None:
        return
    name = section.get("title") or section.get("ident") or "untitled"
    count = child_text(selection, "selection_number") or "all"
    points = number_value(child_text(selection, "selection_extension/points_per_item"))
    each = f", {format_number(points)} points each" if points is not None else ""
    if selection.find("sourcebank_ref") is not None:
        imported.problems.append(
            LineProblem(
                document.line(section),
                f"the question group '{name}' picks {count} questions from a linked Canvas question bank, "
                "and questions from a linked Canvas bank are not in the file: export that bank from "
                "Canvas and import it, or remove the group",
            )
        )
        return
    held = len(section.findall("item"))
    imported.losses.append(
        Loss(
            f"group {name}",
            f"the question group '{name}' (pick {count} of its {held} questions{each}): "
            "each of its questions is imported on its own, with its own points",
        )
    )


def read_package(data: bytes) -> Imported:
    """Read a QTI zip package (as Canvas exports one, or quizapp): its assessment with the quiz
    settings Canvas keeps beside it (``package_document``). Nothing is extracted to disk."""
    document = package_document(data)
    if isinstance(document, LineProblem):
        return Imported(problems=[document])
    return import_qti(document)


def _with_quiz_meta(document: str, package: zipfile.ZipFile) -> str | LineProblem:
    """The assessment ``document`` with the settings file Canvas keeps beside it
    (``<ident>/assessment_meta.xml``), if the package has one, written into it as QTI says them,
    as Canvas's importer applies them: its title is the assessment's, and ``shuffle_answers``
    false keeps every choice in order (``shuffle="No"`` on each ``render_choice``). The text then
    carries them wherever it goes (the import page's preview, the command line), and is returned
    as it was when they change nothing."""
    try:
        parsed = parse_xml(document)
    except XmlRefused:
        return document  # its problem is the assessment's own: import_qti reports it
    assessment = parsed.root.find("assessment")
    ident = assessment.get("ident", "") if assessment is not None else ""
    path = f"{ident}/{QUIZ_META}"
    if assessment is None or not ident or path not in package.namelist():
        return document
    if package.getinfo(path).file_size > MAX_DOCUMENT:
        return LineProblem(1, f"{path} is larger than 32 MB")
    try:
        meta = parse_xml(package.read(path).decode("utf-8", "replace")).root
    except _UNZIP_ERRORS:
        return LineProblem(1, f"{path}: the package is damaged or encrypted here")
    except XmlRefused as refused:
        return LineProblem(refused.problem.line, f"{path}: {refused.problem.message}")
    title = (meta.findtext("title") or "").strip()
    fixed = (meta.findtext("shuffle_answers") or "").strip().lower() == "false"
    if (not title or title == assessment.get("title")) and not fixed:
        return document
    if title:
        assessment.set("title", title)
    if fixed:
        for render in parsed.root.iter("render_choice"):
            render.set("shuffle", "No")
    # Written again from its tree, starting on the line it started on, so that a problem found in
    # it names the line of the file in the package.
    return "\n" * (parsed.line(parsed.root) - 1) + ET.tostring(parsed.root, encoding="unicode")


#: What reading a damaged member of a zip raises: a bad CRC or header (BadZipFile), broken
#: compressed bytes (zlib.error, EOFError), a password or a compression method zipfile lacks
#: (RuntimeError, and its subclass NotImplementedError).
_UNZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError)


def is_package(data: bytes) -> bool:
    """Whether ``data`` is a zip file (a QTI package) rather than text."""
    return data.startswith(b"PK\x03\x04")


def package_document(data: bytes) -> str | LineProblem:
    """The text of the one assessment a QTI zip package holds (the one its manifest names, else its
    one QTI document), with the quiz settings beside it written in (``_with_quiz_meta``), or the
    problem that stops it being read. Nothing is extracted to disk."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return LineProblem(1, "this is not a zip file (a QTI package is one)")
    try:
        with package:
            document = _package_document(package)
            if isinstance(document, LineProblem):
                return document
            return _with_quiz_meta(document, package)
    except _UNZIP_ERRORS:
        return LineProblem(
            1, "the package is damaged or encrypted (download or export it again, without a password)"
        )


def _package_document(package: zipfile.ZipFile) -> str | LineProblem:
    names = [info.filename for info in package.infolist() if not info.is_dir()]
    wanted = _manifest_documents(package) if "imsmanifest.xml" in names else []
    if not wanted:
        wanted = [n for n in names if n.endswith((".xml", ".qti")) and n != "imsmanifest.xml"]
    wanted = [n for n in wanted if n in names and not n.endswith("assessment_meta.xml")]
    if len(wanted) != 1:
        found = "no QTI document" if not wanted else f"{len(wanted)} QTI documents"
        return LineProblem(1, f"the package holds {found}; import one assessment at a time")
    info = package.getinfo(wanted[0])
    if info.file_size > MAX_DOCUMENT:
        return LineProblem(1, f"{wanted[0]} is larger than 32 MB")
    with package.open(info) as member:
        raw = member.read(MAX_DOCUMENT + 1)
    if len(raw) > MAX_DOCUMENT:
        return LineProblem(1, f"{wanted[0]} is larger than 32 MB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return LineProblem(1, f"{wanted[0]} is not UTF-8 text")


def _manifest_documents(package: zipfile.ZipFile) -> list[str]:
    with package.open("imsmanifest.xml") as member:
        raw = member.read(MAX_DOCUMENT + 1)
    try:
        manifest = parse_xml(raw.decode("utf-8", "replace")).root
    except XmlRefused:
        return []
    return [
        file.get("href", "")
        for resource in manifest.iter("resource")
        if resource.get("type", "").startswith("imsqti_xmlv1p2")
        for file in resource.iter("file")
    ]


class _Reading:
    """One import: the document, what it found, and the ids made so far."""

    def __init__(self, document: XmlDocument, imported: Imported):
        self.document = document
        self.imported = imported
        self.ids: set[str] = set()
        #: The Canvas type of the item being read.
        self.canvas_type = ""

    def item(self, item: ET.Element) -> None:
        line = self.document.line(item)
        metadata = {
            (field.findtext("fieldlabel") or "").strip(): (field.findtext("fieldentry") or "").strip()
            for field in item.iter("qtimetadatafield")
        }
        kind = metadata.get("question_type") or _guess_type(item)
        presentation = item.find("presentation")
        title = item.get("title", "")
        read = _READERS.get(kind)
        if read is None or presentation is None:
            what = _OTHER_TYPES.get(kind, f"a question of the type '{kind}'")
            self.imported.losses.append(
                Loss(title or f"line {line}", f"{what} has no quizapp type: not imported")
            )
            return
        material = presentation.find("material")
        plain = self.text_of(material, None, "") if material is not None else ""
        if material is None or not plain:
            self.imported.problems.append(LineProblem(line, f"item '{title}' has no question text"))
            return
        # Canvas titles every item "Question" unless its author names it: no name at all.
        qid = make_id(self.ids, "" if title.casefold() == "question" else title, plain)
        problems_before, losses_before = len(self.imported.problems), len(self.imported.losses)
        prompt = self.text_of(material, qid, "the question text")
        self.canvas_type = kind
        own = read(self, item, presentation, qid)
        if own is None or len(self.imported.problems) > problems_before:
            # Not imported: its problem says so, and what it would have lost no longer matters.
            del self.imported.losses[losses_before:]
            self.ids.discard(qid)
            return
        fields: dict[str, Any] = {"id": qid, "type": _TYPES[kind], "prompt": prompt, **own}
        points = number_value(metadata.get("points_possible", "1"))
        if points is not None and points != 1:
            fields["points"] = points
        explanation = self.feedback_text(item, "general_fb", qid)
        if explanation:
            fields["explanation"] = explanation
        for link in ("correct_fb", "general_incorrect_fb"):
            if self.feedback_text(item, link, qid):
                self.imported.losses.append(
                    Loss(qid, f"the feedback '{link}' (quizapp has per-choice feedback)")
                )
        self.imported.questions.append(fields)
        self.imported.lines[qid] = line

    def text_of(self, material: ET.Element, qid: str | None, what: str) -> str:
        """The plain text of a ``<material>``; the formatting it loses is reported for question
        ``qid`` (when known)."""
        mattext = material.find(".//mattext")
        if mattext is None:
            return ""
        raw = mattext.text or ""
        if mattext.get("texttype", "text/plain") != "text/html":
            return raw.strip()
        markup = lost_markup(raw)
        if markup and qid is not None:
            tags = ", ".join(f"<{tag}>" for tag in markup)
            self.imported.losses.append(
                Loss(qid, f"the formatting of {what} ({tags}): imported as plain text")
            )
        return html_to_text(raw)

    def feedback_text(self, item: ET.Element, link: str, qid: str) -> str:
        for feedback in item.findall("itemfeedback"):
            if feedback.get("ident") == link:
                material = feedback.find(".//material")
                return self.text_of(material, qid, "feedback") if material is not None else ""
        return ""

    def problem(self, element: ET.Element, message: str) -> None:
        self.imported.problems.append(LineProblem(self.document.line(element), message))


def _guess_type(item: ET.Element) -> str:
    """The Canvas type of an item without ``question_type`` metadata (other tools' QTI)."""
    lids = item.findall("presentation//response_lid")
    if len(lids) > 1:
        return "matching_question"
    if lids:
        labels = [
            (label.findtext(".//mattext") or "").strip().casefold()
            for label in lids[0].iter("response_label")
        ]
        if sorted(labels) == ["false", "true"]:
            return "true_false_question"
        several = lids[0].get("rcardinality", "Single") == "Multiple"
        return "multiple_answers_question" if several else "multiple_choice_question"
    blank = item.find("presentation//render_fib")
    if blank is not None:
        numeric = blank.get("fibtype", "String") in {"Decimal", "Integer"}
        return "numerical_question" if numeric else "short_answer_question"
    return ""


def _options(reading: _Reading, lid: ET.Element, qid: str) -> dict[str, str]:
    """A ``response_lid``'s options: text by ident."""
    return {
        label.get("ident", ""): reading.text_of(label, qid, "a choice")
        for label in lid.iter("response_label")
        if label.find(".//mattext") is not None
    }


def _scoring(item: ET.Element) -> list[tuple[ET.Element, float, str]]:
    """Each condition that sets or adds to the score: the condition, the score, the action."""
    found = []
    for condition in item.iter("respcondition"):
        setvar = condition.find("setvar")
        variable = condition.find("conditionvar")
        if setvar is None or variable is None or setvar.get("varname", "SCORE") != "SCORE":
            continue
        score = number_value(setvar.text or "")
        if score is not None:
            found.append((variable, float(score), setvar.get("action", "Set")))
    return found


def _choice_feedback(
    reading: _Reading, item: ET.Element, options: dict[str, str], qid: str
) -> dict[str, str]:
    """Per-choice feedback: the feedback a condition on one choice shows."""
    feedback = {}
    for condition in item.iter("respcondition"):
        shown = condition.find("displayfeedback")
        variable = condition.find("conditionvar")
        if shown is None or variable is None:
            continue
        link = shown.get("linkrefid", "")
        picked = [(v.text or "").strip() for v in variable.findall("varequal")]
        text = reading.feedback_text(item, link, qid) if link not in _GENERAL_FEEDBACK else ""
        if len(picked) == 1 and picked[0] in options and text:
            feedback[options[picked[0]]] = text
    return feedback


def _read_choices(
    reading: _Reading, item: ET.Element, presentation: ET.Element, qid: str
) -> dict[str, Any] | None:
    lid = presentation.find(".//response_lid")
    if lid is None:
        reading.problem(item, f"item '{qid}' has no choices (<response_lid>)")
        return None
    options = _options(reading, lid, qid)
    choices = list(options.values())
    if len(choices) < 2 or len(set(choices)) != len(choices) or not all(choices):
        reading.problem(lid, f"item '{qid}' needs at least two different choices")
        return None
    full = [variable for variable, score, _ in _scoring(item) if score >= 100]
    if not full:
        reading.problem(item, f"item '{qid}' has no condition that gives full marks")
        return None
    right_idents = [(v.text or "").strip() for v in full[0].iter("varequal") if not _negated(full[0], v)]
    right = [options[i] for i in right_idents if i in options]
    fields: dict[str, Any] = {"choices": choices}
    if reading.canvas_type == "multiple_answers_question":
        fields["answer"] = right
    elif len(right) != 1:
        reading.problem(
            item, f"item '{qid}' has {len(right)} right choices: a multiple choice question needs one"
        )
        return None
    else:
        fields["answer"] = right[0]
    feedback = _choice_feedback(reading, item, options, qid)
    if feedback:
        fields["feedback"] = feedback
    # QTI's own word for a fixed order (Canvas's quiz settings say it for every question: see
    # _with_quiz_meta); anything else leaves the bank's default, shuffled.
    render = lid.find("render_choice")
    if render is not None and render.get("shuffle", "").strip().lower() == "no":
        fields["shuffle"] = False
    return fields


def _negated(condition: ET.Element, varequal: ET.Element) -> bool:
    return any(varequal in list(negation) for negation in condition.iter("not"))


def _read_true_false(
    reading: _Reading, item: ET.Element, presentation: ET.Element, qid: str
) -> dict[str, Any] | None:
    fields = _read_choices(reading, item, presentation, qid)
    if fields is None:
        return None
    if sorted(c.casefold() for c in fields["choices"]) != ["false", "true"]:
        reading.problem(item, f"item '{qid}' is true/false, but its choices are not True and False")
        return None
    out: dict[str, Any] = {"answer": fields["answer"].casefold() == "true"}
    if "feedback" in fields:
        out["feedback"] = {choice.casefold(): said for choice, said in fields["feedback"].items()}
    return out


def _read_short_answer(
    reading: _Reading, item: ET.Element, presentation: ET.Element, qid: str
) -> dict[str, Any] | None:
    accepted = [
        (v.text or "").strip()
        for variable, score, _ in _scoring(item)
        if score >= 100
        for v in variable.iter("varequal")
    ]
    accepted = [a for a in dict.fromkeys(accepted) if a]
    if not accepted:
        reading.problem(item, f"item '{qid}' has no answer that gives full marks")
        return None
    return {"answer": accepted}


def _read_numerical(
    reading: _Reading, item: ET.Element, presentation: ET.Element, qid: str
) -> dict[str, Any] | None:
    full = [variable for variable, score, _ in _scoring(item) if score >= 100]
    if not full:
        reading.problem(item, f"item '{qid}' has no answer that gives full marks")
        return None
    if len(full) > 1:
        reading.imported.losses.append(Loss(qid, f"{len(full) - 1} more right answer(s): quizapp keeps one"))
    variable = full[0]

    def bound(tag: str) -> float | None:
        found = variable.find(f".//{tag}")
        value = number_value(found.text or "") if found is not None else None
        return None if value is None else float(value)

    exact = bound("varequal")
    low = bound("vargte") if bound("vargte") is not None else bound("vargt")
    high = bound("varlte") if bound("varlte") is not None else bound("varlt")
    if low is not None and high is not None:
        middle = exact if exact is not None else (low + high) / 2
        tolerance = float(f"{max(middle - low, high - middle):.12g}")
        if abs((middle - low) - (high - middle)) > 1e-9 * max(1.0, abs(middle)):
            reading.imported.losses.append(
                Loss(
                    qid,
                    f"the range {format_number(low)} to {format_number(high)} is not centred on the answer: "
                    "quizapp accepts ± the wider side",
                )
            )
    elif exact is not None:
        middle, tolerance = exact, 0.0
    else:
        reading.problem(variable, f"item '{qid}' gives neither an exact answer nor a range")
        return None
    if bound("vargt") is not None or bound("varlt") is not None:
        reading.imported.losses.append(
            Loss(qid, "the open ends of the range: quizapp's bounds are inclusive")
        )
    fields: dict[str, Any] = {"answer": number_value(format_number(middle))}
    if tolerance:
        fields["tolerance"] = number_value(format_number(tolerance))
    return fields


def _read_matching(
    reading: _Reading, item: ET.Element, presentation: ET.Element, qid: str
) -> dict[str, Any] | None:
    lids = presentation.findall(".//response_lid")
    right_of = {}
    for variable, score, _ in _scoring(item):
        if score <= 0:
            continue
        for v in variable.iter("varequal"):
            right_of[v.get("respident", "")] = (v.text or "").strip()
    pairs: dict[str, str] = {}
    used: set[str] = set()
    every: dict[str, str] = {}
    for lid in lids:
        material = lid.find("material")
        left = reading.text_of(material, qid, "a left item") if material is not None else ""
        options = _options(reading, lid, qid)
        every.update(options)
        ident = right_of.get(lid.get("ident", ""))
        if not left or ident not in options:
            reading.problem(lid, f"an item to match in '{qid}' has no text or no right option")
            return None
        pairs[left] = options[ident]
        used.add(options[ident])
    if len(pairs) < 2:
        reading.problem(item, f"item '{qid}' needs at least two items to match")
        return None
    fields: dict[str, Any] = {"answer": pairs}
    distractors = [o for o in dict.fromkeys(every.values()) if o not in used]
    if distractors:
        fields["distractors"] = distractors
    return fields


_TYPES = {
    "multiple_choice_question": "single",
    "multiple_answers_question": "multi",
    "true_false_question": "true_false",
    "short_answer_question": "text",
    "numerical_question": "numeric",
    "matching_question": "match",
}
_READERS: dict[str, Callable[[_Reading, ET.Element, ET.Element, str], dict[str, Any] | None]] = {
    "multiple_choice_question": _read_choices,
    "multiple_answers_question": _read_choices,
    "true_false_question": _read_true_false,
    "short_answer_question": _read_short_answer,
    "numerical_question": _read_numerical,
    "matching_question": _read_matching,
}
