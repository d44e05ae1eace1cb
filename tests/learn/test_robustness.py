"""Client input that once produced 500s, and caches that once went stale."""

import pytest
from django.core.management import call_command
from django.test import Client

from glossary.linking import current_matcher
from glossary.models import Alias
from learn.core.markdown import render
from tests.factories import make_quiz, make_term

pytestmark = pytest.mark.django_db


def test_a_bad_host_header_is_a_400_not_a_500():
    response = Client().get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "That request didn’t make sense to us" in response.content.decode()


@pytest.mark.parametrize("cookie", ["abc\x00def", "x" * 5000, "../../etc", "ünïcode", ""])
def test_a_malformed_session_cookie_is_ignored(cookie):
    make_quiz(title="Basics", questions=1)
    client = Client()
    client.cookies["sessionid"] = cookie

    for url in ["/", "/glossary/", "/quizzes/", "/progress/", "/quizzes/basics/"]:
        assert client.get(url).status_code == 200, url


def test_renaming_an_alias_relinks_the_glossary():
    term = make_term(name="Replay", aliases=("Rehearsal",))
    before = current_matcher()
    assert "rehearsal" in before.phrases

    alias = Alias.objects.get(term=term)
    alias.name, alias.slug = "Rehearsals", "rehearsals"
    alias.save()

    after = current_matcher()
    assert after is not before
    assert "rehearsals" in after.phrases and "rehearsal" not in after.phrases


def test_reloading_fixtures_that_move_an_alias_relinks_the_glossary(tmp_path):
    call_command("load_content")
    before = current_matcher()
    alias = Alias.objects.get(name="Catastrophic interference")
    fixture = tmp_path / "moved.yaml"
    fixture.write_text(
        f"- model: glossary.alias\n  pk: {alias.pk}\n  fields: {{term: {alias.term_id + 1}, name: Catastrophic "
        f"interference, slug: catastrophic-interference}}\n"
    )

    call_command("loaddata", str(fixture), verbosity=0)  # same timestamp, another owner

    after = current_matcher()
    assert after.version != before.version
    assert after.phrases["catastrophic interference"] != before.phrases["catastrophic interference"]


def test_a_term_named_chart_does_not_break_charts():
    make_term(name="Chart")
    from glossary.linking import term_linker

    html = render("A chart:\n\n```chart\nA | 1\n```\n\nThe chart above.", link=term_linker()).html

    assert html.count("<svg") == 1
    assert "<p>chart-" not in html  # no placeholder left behind
    assert '<a class="term" href="/glossary/chart/"' in html


def test_markdown_heading_ids_cannot_clash_with_the_pages_own():
    html = render("## Read\n\n## q1\n\n## main").html

    assert 'id="read"' not in html and 'id="q1"' not in html and 'id="main"' not in html
    assert 'id="h-read"' in html


def test_favicon_ico_redirects_to_the_sites_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
