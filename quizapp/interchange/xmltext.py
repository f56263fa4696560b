"""What the XML formats (Moodle XML, QTI) share: parsing untrusted XML safely, with each element's
line, and the HTML of their texts to and from quizapp's plain text."""

from __future__ import annotations

import html
import math
import re
import unicodedata
import xml.etree.ElementTree as ET  # noqa: S405 - builds trees only; parsing goes through defusedxml
from collections.abc import Callable
from typing import Any

import nh3
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from quizapp.banks import Bank, citation_label
from quizapp.interchange.model import LineProblem, Loss
from quizapp.questions import Question


class XmlRefused(ValueError):
    """An input that is not XML, or XML that could expand or fetch what it declares."""

    def __init__(self, problem: LineProblem):
        super().__init__(str(problem))
        self.problem = problem


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that notes the line each element starts at and drops namespaces from tags
    (QTI files carry one; the formats never mix two)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.line_now: Callable[[], int] = lambda: 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag.rpartition("}")[2], attrs)
        self.lines[element] = self.line_now()
        return element


class XmlDocument:
    """A parsed XML file: its root element and the line of each element."""

    def __init__(self, root: ET.Element, lines: dict[ET.Element, int]):
        self.root = root
        self._lines = lines

    def line(self, element: ET.Element) -> int:
        """The line ``element`` starts at (1-based)."""
        return self._lines.get(element, 1)


def parse_xml(text: str) -> XmlDocument:
    """Parse untrusted XML. A DOCTYPE (which could declare entities that expand a few bytes into
    gigabytes, or read a file or an address) is refused before anything in it is acted on, as is
    any entity or external reference; nothing is ever read from disk or the network. Raises
    ``XmlRefused`` with the line of the problem."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    expat: Any = parser.parser  # defusedxml runs the pure-Python parser, which exposes expat's
    builder.line_now = lambda: int(expat.CurrentLineNumber)
    try:
        parser.feed(text.lstrip("\ufeff"))
        root = parser.close()
    except DTDForbidden as refused:
        where = f" refers to '{refused.sysid}', which is never fetched, and" if refused.sysid else ""
        raise XmlRefused(
            LineProblem(
                expat.CurrentLineNumber,
                f"the DOCTYPE declaration{where} is refused: declarations can define entities that "
                "expand without end or read files, and Moodle and Canvas files need none",
            )
        ) from None
    except (EntitiesForbidden, ExternalReferenceForbidden):
        raise XmlRefused(
            LineProblem(expat.CurrentLineNumber, "entities and external references are refused")
        ) from None
    except ET.ParseError as error:
        line = error.position[0] if error.position else 1
        reason = str(error).split(":")[0]
        raise XmlRefused(LineProblem(line, f"this is not well-formed XML ({reason})")) from None
    return XmlDocument(root, builder.lines)


def child_text(element: ET.Element | None, path: str, default: str = "") -> str:
    """The text of the first element at ``path`` under ``element``, stripped; ``default`` if none."""
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else default


#: The end of a paragraph, which a browser sets apart: a blank line in plain text.
_PARAGRAPH_END = re.compile(r"<\s*/\s*p\s*>", re.IGNORECASE)
#: Tags that end a line of text: a line break, a list item, a heading, a table row.
_LINE_ENDS = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*(?:div|li|h[1-6]|tr|blockquote|pre)\s*>", re.IGNORECASE)
#: HTML's white space, which a browser collapses to one space; a no-break space is not among it.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
#: A space that HTML would collapse: one at the start of a line or after another space.
_COLLAPSED_SPACE = re.compile(r"(?:^|(?<= )) ")
#: Tags that only make a text a paragraph or a line: nothing of them is lost in plain text.
_PLAIN_TAGS = frozenset({"p", "br", "div", "span"})
_TAG_NAME = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)")


def html_to_text(markup: str) -> str:
    """The plain text of an HTML fragment, as a browser would show it: tags dropped by a real HTML
    parser (nh3, which also drops what scripts and styles hold), entities decoded, white space
    collapsed but for no-break spaces (kept as spaces, so indentation survives), line breaks as
    line breaks and paragraphs apart by one blank line."""
    flowing = _LINE_ENDS.sub("\n", _PARAGRAPH_END.sub("\n\n", _HTML_SPACE.sub(" ", markup)))
    # Text with no tag and no entity is already plain: the parser would give it back unchanged.
    text = html.unescape(nh3.clean(flowing, tags=set())) if "<" in flowing or "&" in flowing else flowing
    kept: list[str] = []
    apart = False
    for raw in text.split("\n"):
        line = _HTML_SPACE.sub(" ", raw).strip(" ").replace("\xa0", " ").rstrip()
        if not line.strip():
            apart = bool(kept)
            continue
        if apart:
            kept.append("")
        kept.append(line)
        apart = False
    return unicodedata.normalize("NFC", "\n".join(kept))


def lost_markup(markup: str) -> list[str]:
    """The tags of an HTML fragment whose formatting plain text cannot keep (``b``, ``img`` …)."""
    return sorted({name.lower() for name in _TAG_NAME.findall(markup)} - _PLAIN_TAGS)


def text_to_html(text: str) -> str:
    """Plain text as HTML that shows it unchanged and that ``html_to_text`` reads back: special
    characters escaped, lines broken with ``<br>``, paragraphs (apart by blank lines) as ``<p>``
    when there are several, and spaces HTML would collapse (indentation) as ``&nbsp;``."""
    paragraphs = [
        "<br>".join(
            _COLLAPSED_SPACE.sub("&nbsp;", html.escape(line, quote=False)) for line in lines.split("\n")
        )
        for lines in re.split(r"\n(?:[ \t]*\n)+", text.strip("\n"))
    ]
    return paragraphs[0] if len(paragraphs) == 1 else "".join(f"<p>{p}</p>" for p in paragraphs)


def white_space_loss(question: Question) -> Loss | None:
    """The loss of the white space HTML cannot carry in a question's texts (tabs, no-break
    spaces, several blank lines in a row), which ``text_to_html`` would not give back."""
    texts = [("the question text", question.prompt), ("the explanation", question.explanation)]
    texts += [("a choice", choice) for choice in getattr(question, "choices", ())]
    texts += [("a feedback", said) for said in getattr(question, "feedback_by_choice", {}).values()]
    changed = dict.fromkeys(what for what, text in texts if not _keeps_white_space(text))
    if not changed:
        return None
    return Loss(
        question.id,
        f"the exact white space of {', '.join(changed)} (tabs, no-break spaces or several blank "
        "lines in a row): the HTML keeps line breaks, paragraphs and indentation only",
    )


def _keeps_white_space(text: str) -> bool:
    written = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    return html_to_text(text_to_html(text)) == unicodedata.normalize("NFC", written)


def to_xml(root: ET.Element) -> str:
    """An element tree as an indented UTF-8 XML document."""
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """A new child of ``parent``, with its text and attributes."""
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


#: What an id may be (the bank loader's rule): letters, digits, - and _, from a letter or digit.


def number_value(text: str) -> float | int | None:
    """A number written in an XML file ("100", "33.33333", "-5e2"), as an int when it is whole;
    None when it is not a finite number."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def citation_loss(question: Question) -> Loss | None:
    """The loss of a question's ``source:`` citation, which no other tool's format carries."""
    if not question.source:
        return None
    cited = ", ".join(citation_label(c) for c in question.source)
    return Loss(question.id, f"the source citation ({cited})")


def bank_losses(bank: Bank, format_name: str) -> list[Loss]:
    """What of a bank, beside its questions, a question format cannot carry: its source, its
    quizzes and its own flashcards."""
    losses = []
    if bank.source is not None:
        losses.append(Loss("(bank)", f"the source '{bank.source.title}': {format_name} has no citations"))
    for quiz in bank.quizzes.values():
        losses.append(
            Loss(quiz.id, f"the quiz '{quiz.title}' and its settings: {format_name} holds questions only")
        )
    for card in bank.cards:
        losses.append(Loss(card.id, f"the flashcard '{card.front}': {format_name} has no flashcards"))
    return losses
