"""Banks in and out of other tools' formats (GIFT, Moodle XML, QTI 1.2, Aiken, Quizlet and Anki
text): each format module registers an importer (text → ``Imported``) and/or an exporter (a bank →
``Exported``). Pure core: files and web pages are the callers' business. Nothing a format cannot
carry is dropped silently: an exporter lists it as a ``Loss``, an importer as a ``Loss`` or a
``LineProblem`` at the input's line."""

from quizapp.interchange import gift  # noqa: F401 - registers the format
from quizapp.interchange.model import (
    EXPORTERS,
    IMPORTERS,
    Exported,
    Imported,
    LineProblem,
    Loss,
    append_to_bank,
    bank_yaml,
    exporter,
    importer,
    new_id,
)

__all__ = [
    "EXPORTERS",
    "IMPORTERS",
    "Exported",
    "Imported",
    "LineProblem",
    "Loss",
    "append_to_bank",
    "bank_yaml",
    "exporter",
    "importer",
    "new_id",
]
