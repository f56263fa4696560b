"""What a result page says of the source each question cites: the paragraphs, the bank author's
summary of each, and a link to it in the original article; nothing of it before submission."""

from __future__ import annotations

import html
import re

from tests.factories import answer_form, shown_questions, start, submit

#: A bank citing one paragraph, two, and the header, of a source with summaries and first words.
CITED = """\
title: Cited
source:
  title: The article
  url: https://example.org/news/csto
  header: {summary: SUMMARY-HEADER by a research fellow., opens: "Russia Leveraging CSTO"}
  paragraphs:
    1: {summary: "SUMMARY-ONE: the decision.", opens: "While the rest of the world, Russia-led & co"}
    2: SUMMARY-TWO without first words.
    3: {summary: SUMMARY-THREE, opens: "Écoutez: 50% <b>"}
questions:
  - {id: one, type: true_false, prompt: PROMPT-ONE, answer: true, explanation: WHY-ONE, source: 1}
  - {id: two, type: true_false, prompt: PROMPT-TWO, answer: true, source: [2, 3]}
  - {id: byline, type: text, prompt: PROMPT-BYLINE, answer: Culp, source: [header]}
quizzes:
  - {id: all, title: All, questions: [one, two, byline]}
"""

ARTICLE = "https://example.org/news/csto"


def result_of(app, client, slug: str = "cited", quiz: str = "all", right: bool = True) -> str:
    """The result page of an attempt answered (right, or wrong) and submitted."""
    path = start(client, slug, quiz)
    response = submit(client, path, answer_form(shown_questions(app, path), right=right))
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def card(page: str, prompt: str) -> str:
    """The result card of the question with ``prompt``."""
    [found] = [c for c in page.split('<li class="card result')[1:] if f'<p class="prompt">{prompt}</p>' in c]
    return found


def links(fragment: str) -> list[tuple[str, str, str]]:
    """(href, target, rel) of each link in ``fragment``, unescaped."""
    return [
        (html.unescape(href), target, rel)
        for href, target, rel in re.findall(r'<a href="([^"]*)" target="([^"]*)" rel="([^"]*)">', fragment)
    ]


def test_the_result_shows_each_cited_paragraphs_summary_and_a_link_scrolled_to_it(app, student, make_bank):
    make_bank("cited", CITED)
    page = result_of(app, student)
    one = card(page, "PROMPT-ONE")
    assert "Paragraph 1 of <cite>The article</cite>" in one
    assert "SUMMARY-ONE: the decision." in one
    # Text Fragments: spaces, and the directive's own "-", "&" and "," percent-encoded.
    assert links(one) == [
        (
            f"{ARTICLE}#:~:text=While%20the%20rest%20of%20the%20world%2C%20Russia%2Dled%20%26%20co",
            "_blank",
            "noopener noreferrer",
        )
    ]
    assert "Paragraph 1 in the original" in one


def test_a_question_citing_several_paragraphs_shows_each_and_links_plainly_without_first_words(
    app, student, make_bank
):
    make_bank("cited", CITED)
    two = card(result_of(app, student), "PROMPT-TWO")
    assert "Paragraphs 2 and 3 of <cite>The article</cite>" in two
    assert two.index("SUMMARY-TWO") < two.index("SUMMARY-THREE")
    assert [href for href, _, _ in links(two)] == [
        ARTICLE,  # no `opens`: the article's top
        f"{ARTICLE}#:~:text=%C3%89coutez%3A%2050%25%20%3Cb%3E",
    ]
    assert "<b>" not in two  # first words are text, escaped like everything else


def test_the_header_citation_shows_as_header_with_its_summary(app, student, make_bank):
    make_bank("cited", CITED)
    byline = card(result_of(app, student), "PROMPT-BYLINE")
    assert "The header of <cite>The article</cite>" in byline
    assert '<span class="cited">header</span> SUMMARY-HEADER by a research fellow.' in byline
    assert links(byline) == [
        (f"{ARTICLE}#:~:text=Russia%20Leveraging%20CSTO", "_blank", "noopener noreferrer")
    ]
    assert "The header in the original" in byline


def test_a_source_with_a_url_in_the_original_keeps_its_fragment_before_the_text_directive(
    app, student, make_bank
):
    make_bank("cited", CITED.replace(ARTICLE, f"{ARTICLE}#main"))
    one = card(result_of(app, student), "PROMPT-ONE")
    assert links(one)[0][0].startswith(f"{ARTICLE}#main:~:text=While%20the%20rest")


def test_without_a_url_the_summaries_show_and_nothing_links(app, student, make_bank):
    make_bank("cited", CITED.replace(f"  url: {ARTICLE}\n", ""))
    page = result_of(app, student)
    assert "SUMMARY-ONE" in page
    assert "SUMMARY-HEADER" in page
    assert "in the original" not in page
    assert links(page) == []


def test_a_source_without_summaries_shows_the_citation_alone(app, student, make_bank):
    plain = CITED[: CITED.index("  header:")] + "  paragraphs: 3\n" + CITED[CITED.index("questions:") :]
    make_bank("cited", plain.replace(f"  url: {ARTICLE}\n", ""))
    one = card(result_of(app, student), "PROMPT-ONE")
    assert "Paragraph 1 of <cite>The article</cite>" in one
    assert 'class="passages"' not in one


def test_nothing_of_the_source_shows_while_the_attempt_is_in_progress(app, student, make_bank):
    make_bank("cited", CITED)
    path = start(student, "cited", "all")
    page = student.get(path).get_data(as_text=True)
    assert "PROMPT-ONE" in page
    for hidden in ("SUMMARY-", "example.org", ":~:text=", "Paragraph 1", "in the original"):
        assert hidden not in page


def test_summaries_wait_with_the_explanation_while_the_quiz_keeps_its_key(app, student, make_bank):
    # With attempts left, a quiz answering after the last attempt keeps explanations back: a
    # summary may hold the answer, so it waits with them; the citation and the link do not.
    make_bank(
        "cited",
        CITED.replace(
            "{id: all, title: All, questions: [one, two, byline]}",
            "{id: all, title: All, questions: [one, two, byline], attempts: 2, answers: after-last-attempt}",
        ),
    )
    page = result_of(app, student, right=False)
    assert "WHY-ONE" not in page
    assert "SUMMARY-" not in page
    one = card(page, "PROMPT-ONE")
    assert "Paragraph 1 of <cite>The article</cite>" in one
    assert [href for href, _, _ in links(one)] == [
        f"{ARTICLE}#:~:text=While%20the%20rest%20of%20the%20world%2C%20Russia%2Dled%20%26%20co"
    ]

    page = result_of(app, student, right=False)  # the last attempt: everything shows
    assert "WHY-ONE" in page
    assert "SUMMARY-ONE" in page
