"""Text people type, cleaned before it is kept: what they meant, without the characters that hide
text or disguise it. Pure functions: grading uses them too."""

from __future__ import annotations

import re
import unicodedata

#: Bidirectional marks, embeddings, overrides and isolates: they reorder what is shown (after a
#: RIGHT-TO-LEFT OVERRIDE, "invoice" + "fdp.exe" reads "invoiceexe.pdf").
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Characters with no width: two names that differ only by them look the same.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE = BIDI_CONTROLS + ZERO_WIDTH

#: C0 and C1 control characters but tab and line feed, and the invisible ones.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + INVISIBLE + "]")
_LINE_END = re.compile(r"\r\n?")
_ONE_LINE = str.maketrans("\t\n", "  ")

#: Typographic punctuation as phones, word processors and Macs type it by default, and the ASCII a
#: keyboard types for it: curly quotes and apostrophes, primes, dashes, the minus sign, the ellipsis.
_TYPOGRAPHIC = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u2039\u203a\u00b4`", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d", "-"),
        "\u2026": "...",
    }
)


def clean_text(text: str, multiline: bool = False) -> str:
    """``text`` without control characters, bidirectional controls and zero-width characters,
    in Unicode's composed form (NFC). Line breaks become "\\n" in ``multiline`` text (tabs stay),
    and spaces in one-line text."""
    text = _LINE_END.sub("\n", text)
    if not multiline:
        text = text.translate(_ONE_LINE)
    return unicodedata.normalize("NFC", _HIDDEN.sub("", text))


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds a bidirectional control or a zero-width character."""
    return any(ch in INVISIBLE for ch in text)


def plain_punctuation(text: str) -> str:
    """``text`` with typographic quotes, apostrophes, dashes, minus signs and ellipses as the ASCII
    a keyboard types for them: "Kyrgyzstan’s" is "Kyrgyzstan's", "Nagorno–Karabakh" is
    "Nagorno-Karabakh" and "−5" is "-5"."""
    return text.translate(_TYPOGRAPHIC)
