"""Banks in and out of other tools' formats (GIFT, Moodle XML, QTI 1.2, Aiken, Quizlet and Anki
text): each format module registers an importer (text → ``Imported``) and/or an exporter (a bank →
``Exported``). Pure core: files and web pages are the callers' business. Nothing a format cannot
carry is dropped silently: an exporter lists it as a ``Loss``, an importer as a ``Loss`` or a
``LineProblem`` at the input's line."""

# Each format module registers itself as it is imported.
from quizapp.interchange import aiken as aiken
from quizapp.interchange import cardtext as cardtext
from quizapp.interchange import gift as gift
from quizapp.interchange import moodle_xml as moodle_xml
from quizapp.interchange import qti as qti
from quizapp.interchange.model import (
    EXPORTERS,
    EXTENSIONS,
    IMPORTERS,
    Exported,
    Imported,
    LineProblem,
    Loss,
    append_to_bank,
    bank_yaml,
    exporter,
    guess_format,
    importer,
)

__all__ = [
    "EXPORTERS",
    "EXTENSIONS",
    "IMPORTERS",
    "Exported",
    "Imported",
    "LineProblem",
    "Loss",
    "append_to_bank",
    "bank_yaml",
    "exporter",
    "guess_format",
    "importer",
]
