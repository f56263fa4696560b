"""A bank's source as the pages use it: citations in words, and links into the original article."""

from __future__ import annotations

import pytest

from quizapp.banks import Passage, Source, citation_label, citations_text


@pytest.mark.parametrize(
    ("citations", "words"),
    [
        ((5,), "Paragraph 5"),
        ((2, 5), "Paragraphs 2 and 5"),
        ((1, 2, 7), "Paragraphs 1, 2 and 7"),
        (("header",), "The header"),
        (("header", 1), "The header and paragraph 1"),
        ((3, "header", 4), "The header and paragraphs 3 and 4"),
    ],
)
def test_citations_are_worded_for_a_page(citations, words):
    assert citations_text(citations) == words


def test_a_citation_is_labelled_by_its_paragraph_sign_or_as_the_header():
    assert [citation_label(c) for c in (5, "header")] == ["¶5", "header"]


def source(url: str = "https://example.org/a", **passages: Passage) -> Source:
    return Source(
        "T",
        url=url,
        paragraphs=3,
        passages={int(k[1:]) if k != "header" else k: v for k, v in passages.items()},
    )


@pytest.mark.parametrize(
    ("opens", "fragment"),
    [
        ("While the rest", "While%20the%20rest"),
        # The directive's own syntax: "-" (prefix/suffix), "&" (next directive), "," (start,end).
        ("Russia-led, fast & loose", "Russia%2Dled%2C%20fast%20%26%20loose"),
        ("Écoutez: 50% #1 ~ok", "%C3%89coutez%3A%2050%25%20%231%20~ok"),
    ],
)
def test_a_link_scrolls_to_the_first_words_encoded_as_text_fragments_want(opens, fragment):
    assert source(p1=Passage("S", opens)).link(1) == f"https://example.org/a#:~:text={fragment}"


def test_a_link_keeps_a_fragment_the_url_has_already():
    assert source("https://example.org/a#top", p1=Passage("S", "Words")).link(1) == (
        "https://example.org/a#top:~:text=Words"
    )


def test_without_first_words_or_a_passage_a_link_is_the_plain_url_and_without_a_url_nothing():
    described = source(p1=Passage("S"), header=Passage("H", "By line"))
    assert described.link(1) == "https://example.org/a"
    assert described.link(2) == "https://example.org/a"
    assert described.link("header") == "https://example.org/a#:~:text=By%20line"
    assert source("", p1=Passage("S", "Words")).link(1) == ""
