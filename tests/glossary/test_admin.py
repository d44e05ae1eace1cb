import pytest

from glossary.models import Alias, Term
from tests.factories import make_category, make_term

pytestmark = pytest.mark.django_db


def term_form(**overrides):
    data = {
        "name": "Rehearsal method",
        "slug": "rehearsal-method",
        "short_definition": "Mixing old data back in.",
        "definition": "Text.",
        "why_it_matters": "",
        "how_it_works": "",
        "example": "",
        "common_mistakes": "",
        "categories": [],
        "is_published": "on",
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-0-name": "",
        "aliases-0-slug": "",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_admin_refuses_an_alias_that_is_another_terms_name(admin_client):
    cat = make_category(name="Training")
    make_term(name="Replay")

    response = admin_client.post(
        "/admin/glossary/term/add/",
        term_form(categories=[cat.pk], **{"aliases-0-name": "replay", "aliases-0-slug": "replay-2"}),
    )

    assert response.status_code == 200
    assert "“replay” is already the name of the term “Replay”." in response.content.decode()
    assert not Term.objects.filter(slug="rehearsal-method").exists()


def test_admin_refuses_an_alias_that_is_another_terms_alias(admin_client):
    cat = make_category(name="Training")
    make_term(name="Replay", aliases=("Rehearsal",))

    response = admin_client.post(
        "/admin/glossary/term/add/",
        term_form(categories=[cat.pk], **{"aliases-0-name": "REHEARSAL", "aliases-0-slug": "rehearsal-x"}),
    )

    assert "is already another name of the term “Replay”" in response.content.decode()
    assert Alias.objects.count() == 1


def test_admin_refuses_a_name_that_is_another_terms_alias(admin_client):
    cat = make_category(name="Training")
    make_term(name="Replay", aliases=("Rehearsal",))

    response = admin_client.post(
        "/admin/glossary/term/add/", term_form(name="Rehearsal", slug="rehearsal", categories=[cat.pk])
    )

    assert "“Rehearsal” is already another name of the term “Replay”." in response.content.decode()


def test_admin_saves_a_valid_term_with_an_alias(admin_client):
    cat = make_category(name="Training")

    response = admin_client.post(
        "/admin/glossary/term/add/",
        term_form(categories=[cat.pk], **{"aliases-0-name": "Rehearsal", "aliases-0-slug": "rehearsal"}),
    )

    assert response.status_code == 302
    assert Term.objects.get(slug="rehearsal-method").aliases.get().name == "Rehearsal"


def test_admin_search_finds_terms_by_alias_and_definition(admin_client):
    make_term(name="Catastrophic forgetting", aliases=("Catastrophic interference",))
    make_term(name="Replay", short_definition="Old examples mixed back in.")

    by_alias = admin_client.get("/admin/glossary/term/", {"q": "interference"}).content.decode()
    by_definition = admin_client.get("/admin/glossary/term/", {"q": "old examples"}).content.decode()

    assert "Catastrophic forgetting" in by_alias and "Replay" not in by_alias
    assert "Replay" in by_definition


def test_admin_change_page_links_the_saved_term_as_learners_see_it(admin_client):
    term = make_term(name="Replay", definition="Mix **old** data back in.")

    html = admin_client.get(f"/admin/glossary/term/{term.pk}/change/").content.decode()

    assert 'href="/glossary/replay/" target="_blank" rel="noopener">View as learner' in html
    assert "Mix **old** data back in." in html  # in the editor, whose preview renders it live
    assert 'id="id_slug"' in html


def test_admin_needs_staff(client):
    response = client.get("/admin/glossary/term/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
