"""Every page a user can reach fits a phone 390 px wide, with an 80-character display name, and
passes axe-core in the light and the dark colour scheme."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from quizapp.extensions import bank_registry, db
from quizapp.live.operations import create_game
from quizapp.models import Assignment, User
from tests.factories import (
    LONG_NAME,
    PHONE,
    browser_log_in,
    login,
    long_named,
    phone_misfits,
    revision_rows,
    save_through_editor,
    scoring,
)

pytestmark = pytest.mark.browser

#: GET routes that answer with a file or a probe, not a page.
NOT_PAGES = {
    "/static/<path:filename>",
    "/healthz",
    "/readyz",
    "/study/<scope>/anki.apkg",
    "/teach/banks/<slug>/export/<bank_format>",
    "/teach/classes/<id:class_id>/export/grades.<fmt>",
    "/teach/classes/<id:class_id>/export/responses.csv",
    "/live/<id:game_id>/results.csv",
    # A part of the host's screen, which its script fetches again as the game moves on.
    "/live/<id:game_id>/host/stage",
}


@dataclass
class Seeded:
    class_id: int
    assignment_id: int
    student_id: int
    admin_id: int
    submitted: int
    in_progress: int
    versions: tuple[int, int]
    game_id: int
    pin: str


#: Each page (by its route), who opens it and its address; a new route fails the test until listed.
PAGES: dict[str, tuple[str, Callable[[Seeded], str]]] = {
    "/login": ("nobody", lambda s: "/login"),
    "/register": ("nobody", lambda s: "/register"),
    "/password/reset": ("nobody", lambda s: "/password/reset"),
    "/": ("student", lambda s: "/"),
    "/account": ("student", lambda s: "/account"),
    "/history": ("student", lambda s: "/history"),
    "/banks/<slug>/quizzes/<quiz_id>": ("student", lambda s: "/banks/every-type/quizzes/all"),
    "/attempts/<id:attempt_id>": ("student", lambda s: f"/attempts/{s.in_progress}"),
    "/attempts/<id:attempt_id>/summary": ("student", lambda s: f"/attempts/{s.in_progress}/summary"),
    "/study/": ("student", lambda s: "/study/"),
    "/study/<scope>": ("student", lambda s: "/study/every-type"),
    "/teach/": ("instructor", lambda s: "/teach/"),
    "/teach/classes/<id:class_id>": ("instructor", lambda s: f"/teach/classes/{s.class_id}"),
    "/teach/classes/<id:class_id>/assignments/<id:assignment_id>": (
        "instructor",
        lambda s: f"/teach/classes/{s.class_id}/assignments/{s.assignment_id}",
    ),
    "/teach/classes/<id:class_id>/students/<id:user_id>": (
        "instructor",
        lambda s: f"/teach/classes/{s.class_id}/students/{s.student_id}",
    ),
    "/teach/classes/<id:class_id>/gradebook": (
        "instructor",
        lambda s: f"/teach/classes/{s.class_id}/gradebook",
    ),
    "/teach/classes/<id:class_id>/attempts/<id:attempt_id>": (
        "instructor",
        lambda s: f"/teach/classes/{s.class_id}/attempts/{s.submitted}",
    ),
    "/teach/classes/<id:class_id>/quizzes/<slug>/<quiz_id>/analysis": (
        "instructor",
        lambda s: f"/teach/classes/{s.class_id}/quizzes/every-type/all/analysis?regrade=1",
    ),
    "/teach/banks/": ("instructor", lambda s: "/teach/banks/"),
    "/teach/banks/<slug>/edit": ("instructor", lambda s: "/teach/banks/every-type/edit"),
    "/teach/banks/<slug>/access": ("instructor", lambda s: "/teach/banks/every-type/access"),
    "/teach/banks/import": ("instructor", lambda s: "/teach/banks/import"),
    "/teach/banks/<slug>/export": ("instructor", lambda s: "/teach/banks/every-type/export"),
    "/teach/banks/<slug>/history": (
        "instructor",
        lambda s: "/teach/banks/every-type/history?old={}&new={}".format(*s.versions),
    ),
    "/teach/banks/<slug>/questions/new": ("instructor", lambda s: "/teach/banks/every-type/questions/new"),
    "/teach/banks/<slug>/questions/<question_id>/edit": (
        "instructor",
        lambda s: "/teach/banks/every-type/questions/multi-q/edit",
    ),
    "/live": ("nobody", lambda s: "/live"),
    "/live/join/<pin>": ("nobody", lambda s: f"/live/join/{s.pin}"),
    "/live/play/<pin>": ("nobody", lambda s: f"/live/play/{s.pin}"),
    "/live/new": ("instructor", lambda s: "/live/new?bank=every-type&quiz=all"),
    "/live/<id:game_id>/host": ("instructor", lambda s: f"/live/{s.game_id}/host"),
    "/live/<id:game_id>/results": ("instructor", lambda s: f"/live/{s.game_id}/results"),
    "/admin/users": ("admin", lambda s: "/admin/users"),
    "/admin/users/<id:user_id>": ("admin", lambda s: f"/admin/users/{s.student_id}"),
    "/admin/settings": ("admin", lambda s: "/admin/settings"),
}


@pytest.fixture
def seeded(app, seed, client) -> Seeded:
    """A student in a class of a long-named instructor, with a submitted attempt and one in
    progress, two saved versions of a bank the instructor owns, and an admin."""
    student_id = long_named(app, "ada", "student")
    long_named(app, "prof", "instructor")
    admin_id = long_named(app, "root", "admin")
    granted = app.test_cli_runner().invoke(args=["banks", "grant", "every-type", "prof", "--as", "owner"])
    assert granted.exit_code == 0, granted.output
    class_id = seed.classroom(
        name=f"Eurasian History for {LONG_NAME}",
        quizzes=(("every-type", "all"), ("every-type", "review")),
        students=(student_id, seed.user("bo", "Bo")),
    )
    submitted = seed.attempt(student_id, scoring(5))
    in_progress = seed.attempt(student_id, scoring(2), submitted=False)
    login(client, "prof")
    for title in ("Every type, first edit", "Every type, second edit"):
        save_through_editor(
            client, lambda text, title=title: re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1)
        )
    versions = revision_rows(app)
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.classroom_id == class_id))
        bank = bank_registry().get("every-type")
        host = db.session.scalar(select(User).where(User.username == "prof"))
        game = create_game(host, bank, bank.quizzes["all"], None, {}, None)
        game_id, pin = game.id, game.pin
    return Seeded(
        class_id,
        assignment_id,
        student_id,
        admin_id,
        submitted,
        in_progress,
        (versions[0]["id"], versions[-1]["id"]),
        game_id,
        pin,
    )


def test_every_get_route_of_the_app_is_a_listed_page_or_a_download(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    assert routes - NOT_PAGES == set(PAGES), "list each new page in PAGES (or a download in NOT_PAGES)"


def test_every_page_fits_a_phone_with_a_long_name_and_passes_axe_in_both_colour_schemes(
    browser: Browser, live_url: str, seeded: Seeded, axe
):
    pages: dict[str, Page] = {}
    for who in ("nobody", "student", "instructor", "admin"):
        pages[who] = browser.new_context(viewport=PHONE).new_page()
        if who != "nobody":
            browser_log_in(
                pages[who], live_url, {"student": "ada", "instructor": "prof", "admin": "root"}[who]
            )
    problems = []
    for scheme in ("light", "dark"):
        for page in pages.values():
            page.emulate_media(color_scheme=scheme)
        for route, (who, address) in PAGES.items():
            page = pages[who]
            response = page.goto(live_url + address(seeded))
            assert response is not None
            assert response.ok, f"{address(seeded)}: {response.status}"
            if route == "/study/<scope>":  # the card's back, with its rating buttons, too
                page.get_by_role("link", name="Show answer").click()
                expect(page.locator("#back")).to_be_visible()
            problems += [f"{address(seeded)} ({scheme}): {misfit}" for misfit in phone_misfits(page)]
            axe.check(page, scheme)
    for page in pages.values():
        page.context.close()
    assert not problems, "pages that do not fit a 390 px phone:\n" + "\n".join(problems)
    if axe.source is None:
        pytest.skip(f"every page fits a phone; the axe checks did not run: {axe.reason}")


def test_on_a_desktop_a_long_name_keeps_the_header_on_one_line_and_the_gradebook_in_view(
    browser: Browser, live_url: str, seeded: Seeded
):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    browser_log_in(page, live_url, "prof")
    page.goto(f"{live_url}/teach/classes/{seeded.class_id}/gradebook")

    who = page.locator("header.site .who")
    expect(who).to_have_attribute("title", f"{LONG_NAME} (your account)")
    brand = page.locator("header.site .brand").bounding_box()
    assert abs(who.bounding_box()["y"] - brand["y"]) < brand["height"] / 2, (
        "the header wrapped onto a second line"
    )
    row = page.get_by_role("row").filter(has_text="Bo")
    total = row.get_by_role("cell").last
    expect(total).to_be_in_viewport()
    assert total.bounding_box()["x"] + total.bounding_box()["width"] <= 1280
    page.context.close()


def contrast(one: str, other: str) -> float:
    """WCAG's contrast ratio of two CSS colours given as rgb(r, g, b)."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: The colours a focus ring may be drawn against: the page, a card, the header.
BACKGROUNDS = """() => ["html", ".card", "header.site"].map(
  (selector) => getComputedStyle(document.querySelector(selector)).backgroundColor)"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_a_chosen_answer_and_the_scheme_are_plain_to_see(
    browser: Browser, live_url: str, seeded: Seeded, scheme: str
):
    page = browser.new_context(color_scheme=scheme).new_page()
    browser_log_in(page, live_url, "ada")
    page.goto(f"{live_url}/attempts/{seeded.in_progress}")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert (contrast(background, "rgb(0, 0, 0)") < 2) == (scheme == "dark")

    astana, bishkek = page.get_by_label("Astana"), page.get_by_label("Bishkek")
    astana.focus()
    page.keyboard.press("Space")
    expect(astana).to_be_checked()
    ring = astana.evaluate("(el) => getComputedStyle(el).outlineColor")
    for behind in page.evaluate(BACKGROUNDS):
        assert contrast(ring, behind) >= 3, f"focus ring {ring} on {behind}"
    chosen, other = (
        choice.evaluate("(el) => getComputedStyle(el.closest('.choice')).backgroundColor")
        for choice in (astana, bishkek)
    )
    assert chosen != other
    page.context.close()


def test_a_bank_diff_is_one_line_per_change_and_export_to_anki_lines_up_with_its_neighbour(
    browser: Browser, live_url: str, seeded: Seeded
):
    page = browser.new_context().new_page()
    browser_log_in(page, live_url, "prof")
    page.goto(f"{live_url}/teach/banks/every-type/history?old={seeded.versions[0]}&new={seeded.versions[1]}")
    lines = [line.bounding_box() for line in page.locator("pre.diff span").all()]
    assert len(lines) > 3
    steps = {round(after["y"] - before["y"]) for before, after in zip(lines, lines[1:], strict=False)}
    assert steps == {round(lines[0]["height"])}, "blank lines between the diff's lines"

    page.context.close()
    page = browser.new_context().new_page()
    browser_log_in(page, live_url, "ada")
    page.goto(f"{live_url}/study/")
    study, export = (
        page.get_by_role("link", name=name).bounding_box()
        for name in ("Study this deck", "Export to Anki (.apkg)")
    )
    assert abs((study["y"] + study["height"] / 2) - (export["y"] + export["height"] / 2)) < 2
    page.context.close()
