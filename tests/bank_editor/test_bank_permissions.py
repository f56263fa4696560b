"""Who may do what with a bank: its owners and editors, site banks and admins, sharing it from its
page and with the CLI, and its owners' choice whether students may practise it.

The cast: ann owns every-type (as if she had made it), bob is another instructor, root an admin,
ada a student."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, BankMember, BankPolicy, CardReview, CardState, RegradeLog
from tests.factories import (
    BANKS,
    EVERY_TYPE_BANK,
    assign,
    create_class,
    csrf_token,
    files_under,
    join,
    join_code,
    learner,
    login,
    other_instructor,
    redescribe,
    revision_rows,
    save_through_editor,
    section,
    sha,
)

EDIT = f"{BANKS}/every-type/edit"
ACCESS = f"{BANKS}/every-type/access"
QUIZ_PAGE = "/banks/every-type/quizzes/all"


# --- the cast ------------------------------------------------------------------------------------


def cli(app, *args: str, password: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=password)


def owner_of_every_type(app, username: str = "ann") -> FlaskClient:
    """An instructor logged in, made an owner of every-type with the CLI."""
    client = other_instructor(app, username)
    result = cli(app, "banks", "grant", "every-type", username, "--as", "owner")
    assert result.exit_code == 0, result.output
    return client


@pytest.fixture
def ann(app) -> FlaskClient:
    return owner_of_every_type(app)


@pytest.fixture
def bob(app) -> FlaskClient:
    return other_instructor(app, "bob")


@pytest.fixture
def root(app) -> FlaskClient:
    result = cli(app, "users", "create", "root", "--role", "admin", password="a long password\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert login(client, "root").status_code == 302
    return client


def members(app, slug: str = "every-type") -> dict[str, str]:
    """The bank's members as {username: role}."""
    with app.app_context():
        rows = db.session.scalars(select(BankMember).where(BankMember.bank_slug == slug))
        return {m.user.username: m.role for m in rows}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def token(client: FlaskClient, page: str = "/teach/") -> str:
    return csrf_token(client.get(page).get_data(as_text=True))


def share(client: FlaskClient, username: str, role: str, slug: str = "every-type"):
    """Add (or change) a member through the bank's access page."""
    page = client.get(f"{BANKS}/{slug}/access").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "username": username, "role": role}
    return client.post(f"{BANKS}/{slug}/access", data=data)


def unshare(client: FlaskClient, username: str, slug: str = "every-type"):
    page = client.get(f"{BANKS}/{slug}/access").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "username": username, "confirm": "yes"}
    return client.post(f"{BANKS}/{slug}/access/remove", data=data)


def archived_name(banks_dir) -> str:
    return next((banks_dir / "archive").glob("every-type.*.yaml")).name


# --- a bank is its owners' -----------------------------------------------------------------------


def test_the_creator_of_a_bank_owns_it_and_other_instructors_do_not_see_it(app, ann, bob):
    response = ann.post(
        f"{BANKS}/", data={"csrf_token": token(ann, f"{BANKS}/"), "slug": "anns", "title": "Ann's bank"}
    )
    assert response.status_code == 302
    assert members(app, "anns") == {"ann": "owner"}
    assert [(r["action"], r["author"]) for r in revision_rows(app, "anns")] == [("create", "ann")]

    card = section(ann.get(f"{BANKS}/").get_data(as_text=True), "anns")
    assert "You own this bank." in card
    assert f"{BANKS}/anns/edit" in card
    assert f"{BANKS}/anns/access" in card
    bobs = bob.get(f"{BANKS}/").get_data(as_text=True)
    assert section(bobs, "anns") == ""
    assert section(bobs, "every-type") == ""
    assert bob.get(f"{BANKS}/anns/edit").status_code == 404


def test_another_instructor_gets_404_on_every_page_and_form_of_a_bank_and_nothing_changes(
    app, ann, bob, banks_dir, tmp_path
):
    save_through_editor(ann, redescribe("Saved by Ann."))
    first = revision_rows(app)[0]["id"]
    before = {p: p.read_bytes() for p in files_under(tmp_path) if p.is_file()}
    current = (banks_dir / "every-type.yaml").read_text()
    base = sha(current)
    gets = [
        EDIT,
        f"{BANKS}/every-type/questions/new?type=single",
        f"{BANKS}/every-type/questions/single-q/edit",
        f"{BANKS}/every-type/history",
        f"{BANKS}/every-type/history?old={first}&new={first}",
        ACCESS,
    ]
    posts = [
        (EDIT, {"base": base, "text": "title: Hacked\n", "action": "save"}),
        (EDIT, {"base": base, "text": current, "action": "preview"}),
        (f"{BANKS}/every-type/questions/new?type=true_false", {"id": "x", "prompt": "P", "truth": "true"}),
        (
            f"{BANKS}/every-type/questions/single-q/edit",
            {"prompt": "Hacked", "answer": "Astana", "base": base},
        ),
        (f"{BANKS}/every-type/history/{first}/restore", {"base": base}),
        (f"{BANKS}/every-type/archive", {}),
        (ACCESS, {"username": "bob", "role": "owner"}),
        (f"{ACCESS}/remove", {"username": "ann"}),
        (f"{ACCESS}/practice", {}),
    ]
    bobs_token = token(bob)
    for url in gets:
        response = bob.get(url)
        assert response.status_code == 404, url
        assert "Saved by Ann." not in text(response), url
    for url, data in posts:
        assert bob.post(url, data={"csrf_token": bobs_token, **data}).status_code == 404, url

    assert {p: p.read_bytes() for p in files_under(tmp_path) if p.is_file()} == before
    assert len(revision_rows(app)) == 2
    assert members(app) == {"ann": "owner"}


def test_another_instructor_may_not_restore_a_bank_from_the_archive_nor_take_its_name(
    app, ann, bob, banks_dir
):
    assert (
        ann.post(f"{BANKS}/every-type/archive", data={"csrf_token": token(ann), "confirm": "yes"}).status_code
        == 302
    )
    name = archived_name(banks_dir)

    assert name not in bob.get(f"{BANKS}/").get_data(as_text=True)
    response = bob.post(f"{BANKS}/archive/{name}/restore", data={"csrf_token": token(bob)})
    assert response.status_code == 404
    assert not (banks_dir / "every-type.yaml").exists()
    response = bob.post(f"{BANKS}/", data={"csrf_token": token(bob), "slug": "every-type", "title": "Mine"})
    assert response.status_code == 422
    assert "exists already" in text(response)
    assert not (banks_dir / "every-type.yaml").exists()
    assert members(app) == {"ann": "owner"}

    assert name in ann.get(f"{BANKS}/").get_data(as_text=True)
    assert ann.post(f"{BANKS}/archive/{name}/restore", data={"csrf_token": token(ann)}).status_code == 302
    assert (banks_dir / "every-type.yaml").read_text() == EVERY_TYPE_BANK


def test_another_instructor_can_neither_set_a_bank_nor_regrade_its_owners_class(app, ann, bob):
    anns_class = create_class(ann, "Ann's class")
    assert assign(ann, anns_class).status_code == 302
    bobs_class = create_class(bob, "Bob's class")

    page = bob.get(f"/teach/classes/{bobs_class}").get_data(as_text=True)
    assert 'value="every-type/all"' not in page
    response = assign(bob, bobs_class)
    assert response.status_code == 422
    assert "Not a valid choice" in text(response)
    regrade = f"/teach/classes/{anns_class}/quizzes/every-type/all/regrade"
    assert bob.post(regrade, data={"csrf_token": token(bob)}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegradeLog)) == 0


def test_an_assignment_of_a_bank_its_instructor_may_no_longer_set_is_seen_but_not_regraded(app, bob, root):
    bobs_class = create_class(bob, "Bob's class")
    assert assign(bob, bobs_class).status_code == 302  # every-type is a site bank: bob may set it
    owner_of_every_type(app)  # then it gets an owner, who does not share it with bob

    assert bob.get(f"/teach/classes/{bobs_class}/gradebook").status_code == 200
    analysis = f"/teach/classes/{bobs_class}/quizzes/every-type/all/analysis"
    page = text(bob.get(analysis + "?regrade=1"))
    assert "You may no longer set this bank's quizzes, so you cannot regrade with its key" in page
    assert "Apply the regrade" not in page
    page = bob.get(analysis).get_data(as_text=True)
    response = bob.post(analysis.replace("analysis", "regrade"), data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert "you cannot regrade with its key" in text(bob.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegradeLog)) == 0


# --- owners and editors --------------------------------------------------------------------------


def test_an_editor_edits_the_bank_but_cannot_share_it(app, ann, bob, banks_dir):
    assert cli(app, "banks", "grant", "every-type", "bob", "--as", "editor").exit_code == 0

    saved = save_through_editor(bob, redescribe("Edited by Bob."))
    assert (banks_dir / "every-type.yaml").read_text() == saved
    card = section(bob.get(f"{BANKS}/").get_data(as_text=True), "every-type")
    assert "You edit this bank." in card
    assert ACCESS not in card
    assert ACCESS not in bob.get(EDIT).get_data(as_text=True)
    assert bob.get(ACCESS).status_code == 403
    response = bob.post(ACCESS, data={"csrf_token": token(bob), "username": "bob", "role": "owner"})
    assert response.status_code == 403
    assert members(app) == {"ann": "owner", "bob": "editor"}


def test_an_owner_shares_the_bank_from_its_page_changes_a_role_and_takes_it_back(app, ann, bob):
    assert bob.get(EDIT).status_code == 404
    page = text(ann.get(ACCESS))
    assert "Owners and editors" in page
    assert "Students may practise outside assignments" in page
    assert ACCESS in ann.get(EDIT).get_data(as_text=True)

    response = share(ann, "Bob", "editor")
    assert response.status_code == 302
    assert "bob is now an editor of every-type." in text(ann.get(response.headers["Location"]))
    assert members(app) == {"ann": "owner", "bob": "editor"}
    assert bob.get(EDIT).status_code == 200
    assert bob.get(ACCESS).status_code == 403

    assert share(ann, "bob", "owner").status_code == 302
    assert members(app) == {"ann": "owner", "bob": "owner"}
    assert bob.get(ACCESS).status_code == 200

    response = unshare(ann, "bob")
    assert response.status_code == 302
    assert "bob no longer owns or edits every-type." in text(ann.get(response.headers["Location"]))
    assert members(app) == {"ann": "owner"}
    assert bob.get(EDIT).status_code == 404


def test_the_last_owner_can_neither_be_removed_nor_made_an_editor(app, ann):
    for response in (unshare(ann, "ann"), share(ann, "ann", "editor")):
        assert response.status_code == 422
        assert "'ann' is the last owner of every-type: make someone else an owner first." in text(response)
    assert members(app) == {"ann": "owner"}


def test_an_owner_who_hands_the_bank_over_may_step_down(app, ann, bob):
    share(ann, "bob", "owner")
    response = share(ann, "ann", "editor")
    assert response.status_code == 302
    assert response.headers["Location"] == EDIT  # no longer hers to share
    assert members(app) == {"ann": "editor", "bob": "owner"}


@pytest.mark.parametrize(
    ("username", "role", "message"),
    [
        ("nobody", "editor", "There is no account 'nobody'."),
        ("ada", "editor", "'ada' is a student account: only instructors can own or edit a bank"),
        ("bob", "boss", "Not a valid choice"),
        ("", "editor", "This field is required."),
    ],
    ids=["unknown", "student", "bad-role", "empty"],
)
def test_sharing_with_a_wrong_username_or_role_is_refused_with_a_message(
    app, ann, bob, username, role, message
):
    learner(app, "ada")
    response = share(ann, username, role)
    assert response.status_code == 422
    assert message in text(response)
    assert members(app) == {"ann": "owner"}


def test_removing_someone_who_is_no_member_is_refused_with_a_message(app, ann, bob):
    response = unshare(ann, "bob")
    assert response.status_code == 422
    assert "'bob' is not an owner or editor of every-type." in text(response)


def test_a_sharing_form_without_its_csrf_token_changes_nothing(app, ann, bob):
    for url, data in [
        (ACCESS, {"username": "bob", "role": "owner"}),
        (f"{ACCESS}/remove", {"username": "ann"}),
        (f"{ACCESS}/practice", {}),
    ]:
        response = ann.post(url, data=data)
        assert response.status_code == 400, url
        assert "Form expired" in text(response)
    assert members(app) == {"ann": "owner"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankPolicy)) == 0


# --- the CLI -------------------------------------------------------------------------------------


def test_the_cli_grants_changes_and_revokes_a_role(app, ann, bob):
    result = cli(app, "banks", "grant", "every-type", "BOB", "--as", "editor")
    assert result.exit_code == 0, result.output
    assert "'bob' is now an editor of every-type" in result.output
    assert "already" in cli(app, "banks", "grant", "every-type", "bob", "--as", "editor").output
    assert cli(app, "banks", "grant", "every-type", "bob", "--as", "owner").exit_code == 0
    assert members(app) == {"ann": "owner", "bob": "owner"}

    result = cli(app, "banks", "revoke", "every-type", "ann")
    assert result.exit_code == 0, result.output
    assert "'ann' no longer owns or edits every-type" in result.output
    assert members(app) == {"bob": "owner"}
    assert ann.get(EDIT).status_code == 404


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grant", "no-such-bank", "bob", "--as", "editor"], "no bank 'no-such-bank'"),
        (["grant", "../etc", "bob", "--as", "editor"], "is not a bank name"),
        (["grant", "every-type", "nobody", "--as", "editor"], "There is no account 'nobody'."),
        (["grant", "every-type", "ada", "--as", "owner"], "'ada' is a student account"),
        (["grant", "every-type", "bob", "--as", "boss"], "Invalid value for '--as'"),
        (["grant", "every-type", "bob"], "Missing option '--as'"),
        (["revoke", "every-type", "ann"], "'ann' is the last owner of every-type"),
        (["revoke", "every-type", "bob"], "'bob' is not an owner or editor of every-type."),
        (["revoke", "no-such-bank", "ann"], "no bank 'no-such-bank'"),
    ],
    ids=[
        "unknown-bank",
        "bad-slug",
        "unknown-user",
        "student",
        "bad-role",
        "no-role",
        "last-owner",
        "not-member",
        "revoke-unknown-bank",
    ],
)
def test_the_cli_refuses_with_a_clear_error(app, ann, bob, args, message):
    learner(app, "ada")
    result = cli(app, "banks", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert members(app) == {"ann": "owner"}


def test_the_cli_grants_a_role_on_an_archived_bank_so_it_can_be_restored(app, ann, bob, banks_dir):
    ann.post(f"{BANKS}/every-type/archive", data={"csrf_token": token(ann), "confirm": "yes"})
    assert cli(app, "banks", "grant", "every-type", "bob", "--as", "editor").exit_code == 0
    name = archived_name(banks_dir)
    assert bob.post(f"{BANKS}/archive/{name}/restore", data={"csrf_token": token(bob)}).status_code == 302
    assert (banks_dir / "every-type.yaml").exists()


# --- site banks and admins -----------------------------------------------------------------------


def test_a_site_bank_is_set_by_every_instructor_and_edited_only_by_an_admin(app, bob, root, banks_dir):
    card = section(bob.get(f"{BANKS}/").get_data(as_text=True), "every-type")
    assert "Every type" in card
    assert f"{BANKS}/every-type/edit" not in card
    assert bob.get(EDIT).status_code == 404
    assert bob.post(f"{BANKS}/every-type/archive", data={"csrf_token": token(bob)}).status_code == 404
    bobs_class = create_class(bob, "Bob's class")
    assert assign(bob, bobs_class).status_code == 302

    card = section(root.get(f"{BANKS}/").get_data(as_text=True), "every-type")
    assert "A site bank: admins edit it" in card
    assert f"{BANKS}/every-type/edit" in card
    saved = save_through_editor(root, redescribe("Edited by the admin."))
    assert (banks_dir / "every-type.yaml").read_text() == saved
    assert members(app) == {}  # still a site bank


def test_an_admin_edits_and_shares_any_instructors_bank(app, ann, root):
    assert root.get(EDIT).status_code == 200
    assert share(root, "root", "editor").status_code == 302  # harmless: an admin edits it anyway
    assert root.get(ACCESS).status_code == 200
    assert members(app) == {"ann": "owner", "root": "editor"}


def test_only_an_admin_restores_an_archived_site_bank(app, bob, root, banks_dir):
    root.post(f"{BANKS}/every-type/archive", data={"csrf_token": token(root), "confirm": "yes"})
    name = archived_name(banks_dir)
    assert name not in bob.get(f"{BANKS}/").get_data(as_text=True)
    assert bob.post(f"{BANKS}/archive/{name}/restore", data={"csrf_token": token(bob)}).status_code == 404
    response = bob.post(f"{BANKS}/", data={"csrf_token": token(bob), "slug": "every-type", "title": "Mine"})
    assert response.status_code == 422
    assert root.post(f"{BANKS}/archive/{name}/restore", data={"csrf_token": token(root)}).status_code == 302


# --- practice ------------------------------------------------------------------------------------


def set_practice(client: FlaskClient, allowed: bool):
    data = {"csrf_token": token(client, ACCESS)}
    if allowed:
        data["practice"] = "y"
    return client.post(f"{ACCESS}/practice", data=data)


def study_a_card(ada: FlaskClient) -> int:
    """Open the every-type deck (its first card enters ada's queue); the card's state id."""
    page = ada.get("/study/every-type").get_data(as_text=True)
    return int(re.search(r"show=(\d+)", page).group(1))


def test_by_default_students_practise_every_bank_and_study_its_cards(app, ann):
    ada = learner(app, "ada")
    assert 'id="setting-practice"' in ada.get(QUIZ_PAGE).get_data(as_text=True)
    assert QUIZ_PAGE in ada.get("/").get_data(as_text=True)
    assert ada.get("/study/every-type").status_code == 200
    assert ada.get("/study/every-type/anki.apkg").status_code == 200
    practice_box = re.search(r'<input[^>]*id="practice"[^>]*>', ann.get(ACCESS).get_data(as_text=True))
    assert " checked " in practice_box.group(0)


@pytest.fixture
def closed(app, ann) -> FlaskClient:
    """ada, a student who studied a card of every-type, after ann turned practice off."""
    ada = learner(app, "ada")
    study_a_card(ada)
    response = set_practice(ann, allowed=False)
    assert response.status_code == 302
    assert "study none of its cards" in text(ann.get(response.headers["Location"]))
    return ada


def test_with_practice_off_a_student_is_offered_no_practice_and_cannot_start_one(app, closed):
    ada = closed
    assert QUIZ_PAGE not in ada.get("/").get_data(as_text=True)
    page = text(ada.get(QUIZ_PAGE))
    assert 'id="setting-practice"' not in page
    assert "This quiz is taken only when one of your classes sets it." in page
    response = ada.post(f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(page), "setting": "practice"})
    assert response.status_code == 302
    assert "This quiz is not set for you there." in text(ada.get(response.headers["Location"]))
    response = ada.post(f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert "/attempts/" not in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_with_practice_off_a_student_studies_none_of_the_banks_cards(app, closed):
    ada = closed
    with app.app_context():
        card = db.session.scalar(select(CardState))
    overview = ada.get("/study/").get_data(as_text=True)
    assert 'id="deck-every-type"' not in overview
    assert "Study every due card (0)" in overview
    assert ada.get("/study/every-type").status_code == 404
    assert ada.get("/study/every-type/anki.apkg").status_code == 404
    assert "All done for now" in ada.get("/study/due").get_data(as_text=True)
    page = ada.get("/study/due").get_data(as_text=True)
    response = ada.post(
        "/study/due/review", data={"csrf_token": csrf_token(page), "card": card.id, "reps": 0, "rating": 3}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CardReview)) == 0
        assert db.session.get(CardState, card.id).reps == 0


def test_with_practice_off_a_class_that_sets_the_quiz_still_takes_it(app, ann, closed):
    ada = closed
    class_id = create_class(ann, "Ann's class")
    assert assign(ann, class_id).status_code == 302
    assert join(ada, join_code(ann, class_id)).status_code == 302

    home = ada.get("/").get_data(as_text=True)
    assert "Set for your classes" in home
    assert QUIZ_PAGE in home
    page = ada.get(QUIZ_PAGE).get_data(as_text=True)
    assert "For Ann's class" in html.unescape(page)
    assert 'id="setting-practice"' not in page
    response = ada.post(f"{QUIZ_PAGE}/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert "/attempts/" in response.headers["Location"]


def test_with_practice_off_its_owners_still_practise_it_and_other_instructors_do_not(app, ann, bob, closed):
    assert 'id="setting-practice"' in ann.get(QUIZ_PAGE).get_data(as_text=True)
    assert ann.get("/study/every-type").status_code == 200
    assert 'id="setting-practice"' not in bob.get(QUIZ_PAGE).get_data(as_text=True)
    assert bob.get("/study/every-type").status_code == 404


def test_turning_practice_back_on_brings_the_quizzes_and_cards_back(app, ann, closed):
    ada = closed
    assert set_practice(ann, allowed=True).status_code == 302
    assert 'id="setting-practice"' in ada.get(QUIZ_PAGE).get_data(as_text=True)
    assert 'id="deck-every-type"' in ada.get("/study/").get_data(as_text=True)
    assert ada.get("/study/every-type/anki.apkg").status_code == 200


def test_a_student_and_an_editor_cannot_change_the_practice_setting(app, ann, bob):
    assert cli(app, "banks", "grant", "every-type", "bob", "--as", "editor").exit_code == 0
    ada = learner(app, "ada")
    for client in (ada, bob):
        response = client.post(f"{ACCESS}/practice", data={"csrf_token": token(client, "/")})
        assert response.status_code == 403
    assert 'id="setting-practice"' in ada.get(QUIZ_PAGE).get_data(as_text=True)


def test_bank_checks_and_saves_are_throttled_per_address(app, ann):
    app.config["BANK_SAVE_RATE_LIMIT"] = "3 per minute"
    page = ann.get("/teach/banks/every-type/edit").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "base": "x", "text": "title: x\n", "action": "validate"}

    statuses = [ann.post("/teach/banks/every-type/edit", data=form).status_code for _ in range(4)]

    assert statuses[:3] == [422, 422, 422]
    assert statuses[3] == 429
    assert "Too many tries" in ann.post("/teach/banks/every-type/edit", data=form).get_data(as_text=True)
