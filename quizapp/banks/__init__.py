"""Question banks: YAML files in the banks folder, validated into frozen ``Bank`` objects."""

from quizapp.banks.loader import load_bank, parse_bank
from quizapp.banks.model import (
    Bank,
    BankError,
    Card,
    Passage,
    Problem,
    Quiz,
    Source,
    citation_label,
    citations_text,
)
from quizapp.banks.registry import BankEntry, BankRegistry

__all__ = [
    "Bank",
    "BankEntry",
    "BankError",
    "BankRegistry",
    "Card",
    "Passage",
    "Problem",
    "Quiz",
    "Source",
    "citation_label",
    "citations_text",
    "load_bank",
    "parse_bank",
]
