"""The page cache (learn/core/pagecache.py): pages for visitors without a session are built once per
content version and served with the visitor's own CSRF token; everyone with state gets their own
page; every change to content gives a new version."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from learn.content import content_models
from learn.core.models import content_version
from learn.core.pagecache import csrf_placeholder, placeholder
from learn.models import Article, PathStep
from learn.models import Source as ArticleSource
from learn.signals import NOT_RENDERED
from quizzes.models import Answer, Attempt, Card, Objective
from tests.conftest import HX, without_tokens
from tests.factories import make_article, make_category, make_quiz, make_term

pytestmark = pytest.mark.django_db

TOKEN_IN_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def content():
    term = make_term(
        name="Replay",
        definition="Replay mixes old examples back in.",
        categories=(make_category(name="Zz test category"),),
        aliases=("Rehearsal",),
    )
    quiz = make_quiz(title="Basics", questions=3, terms=(term,))
    article = make_article(title="Intro", body="Mixing old data in helps.", quiz=quiz, terms=(term,))
    ArticleSource.objects.create(article=article, title="A paper", url="https://example.org/paper")
    PathStep.objects.create(topic=article.topic, position=1, article=article)
    objective = Objective.objects.create(key="explain", text="Explain replay.")
    quiz.questions.update(objective=objective)
    quiz.questions.first().current_version()  # a version, as the first answer would make
    return term, quiz, article


def test_two_visitors_get_the_same_cached_page_each_with_a_working_token_of_their_own(content):
    term, _, _ = content
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    one = first.get(term.get_absolute_url())
    two = second.get(term.get_absolute_url())

    assert one.status_code == two.status_code == 200
    assert without_tokens(one.content) == without_tokens(two.content)
    assert csrf_placeholder() not in one.content.decode() + two.content.decode()
    assert one.cookies["csrftoken"].value != two.cookies["csrftoken"].value
    for client, page in ((first, one), (second, two)):  # each token goes with that visitor's cookie
        token = TOKEN_IN_FORM.search(page.content.decode()).group(1)
        sent = client.post(
            "/report/",
            {
                "kind": "term",
                "slug": term.slug,
                "text": "The example is unclear.",
                "csrfmiddlewaretoken": token,
            },
            **HX,
        )
        assert sent.status_code == 201
    foreign = TOKEN_IN_FORM.search(one.content.decode()).group(1)
    refused = Client(enforce_csrf_checks=True)
    refused.get("/")
    assert refused.post("/report/", {"csrfmiddlewaretoken": foreign}).status_code == 403


def test_cached_pages_vary_on_cookie_and_keep_the_views_own_vary(content):
    client = Client()
    client.get("/glossary/")

    cached = client.get("/glossary/")

    vary = {v.strip() for v in cached["Vary"].split(",")}
    assert {"Cookie", "HX-Request"} <= vary
    assert cached["Content-Type"] == "text/html; charset=utf-8"


def test_the_htmx_fragment_and_the_full_page_are_cached_apart(content):
    client = Client()
    for _ in range(2):  # built, then from the cache
        fragment = client.get("/glossary/", {"q": "rep"}, **HX).content.decode()
        page = client.get("/glossary/", {"q": "rep"}).content.decode()
        assert "<html" not in fragment and "Replay" in fragment
        assert "<html" in page and "Replay" in page


def test_a_learner_with_a_session_sees_their_own_answers_not_the_cached_page(content):
    _, quiz, _ = content
    visitor, learner = Client(), Client()
    assert "Right." not in visitor.get(quiz.get_absolute_url()).content.decode()  # cached now
    right = quiz.questions.get(position=1).choices.get(is_correct=True)

    learner.post(f"{quiz.get_absolute_url()}questions/1/answer/", {"choice": right.token}, **HX)

    assert "Right." in learner.get(quiz.get_absolute_url()).content.decode()
    assert "Right." not in visitor.get(quiz.get_absolute_url()).content.decode()
    assert "Right." not in Client().get(quiz.get_absolute_url()).content.decode()


def test_a_signed_in_learner_never_gets_a_visitors_page(content, django_user_model):
    client = Client()
    client.get("/")
    client.force_login(django_user_model.objects.create_user("ada", password="a-long-passphrase-42"))

    assert "Log out" in client.get("/").content.decode()


def test_an_edit_shows_on_the_next_request_and_unpublishing_removes_the_page(content):
    _, _, article = content
    client = Client()
    assert "Mixing old data in helps." in client.get(article.get_absolute_url()).content.decode()

    Article.objects.filter(pk=article.pk).update(body="It helps a lot.")  # no signal: still cached
    assert "It helps a lot." not in client.get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    article.save()  # the admin and every other save send a signal
    assert "It helps a lot." in client.get(article.get_absolute_url()).content.decode()

    article.is_published = False
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_error_pages_and_redirects_are_not_cached_and_carry_a_real_token(content):
    make_term(name="Low-rank adaptation", aliases=("LoRA",))
    client = Client()

    missing = client.get("/glossary/no-such-term/")
    moved = client.get("/glossary/lora/")

    assert missing.status_code == 404 and csrf_placeholder() not in missing.content.decode()
    assert moved.status_code == 301 and moved["Location"] == "/glossary/low-rank-adaptation/"
    assert len(caches["pages"]._cache) == 0


@pytest.mark.parametrize(
    "model",
    [m for m in content_models(apps) if m._meta.label_lower not in NOT_RENDERED],
    ids=lambda m: m._meta.label,
)
def test_saving_any_content_model_gives_a_new_content_version(content, model):
    before = content_version()
    model.objects.first().save()

    assert content_version() != before


def test_deleting_content_gives_a_new_content_version(content):
    term, quiz, article = content
    versions = [content_version()]
    for row in (quiz.questions.first().choices.first(), article, quiz, term):
        row.delete()
        versions.append(content_version())

    assert len(set(versions)) == 5


def test_changed_many_to_many_links_give_a_new_content_version(content):
    term, _, article = content
    before = content_version()
    term.categories.add(make_category(name="Zz another category"))
    linked = content_version()
    article.related_terms.clear()
    cleared = content_version()

    assert len({before, linked, cleared}) == 3


def test_loading_the_shipped_content_gives_a_new_content_version():
    before = content_version()
    call_command("load_content")

    assert content_version() not in {before, None}


def test_learner_data_leaves_the_content_version_alone(content):
    _, quiz, _ = content
    before = content_version()
    client = Client()
    right = quiz.questions.get(position=1).choices.get(is_correct=True)

    client.post(f"{quiz.get_absolute_url()}questions/1/answer/", {"choice": right.token}, **HX)

    assert Attempt.objects.count() == 1 and Answer.objects.count() == 1
    assert content_version() == before


@pytest.mark.django_db(transaction=True)
def test_the_version_read_replaces_a_broken_persistent_connection_like_the_health_check():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a SQLite connection cannot be cut from outside")
    import psycopg

    expected = content_version()
    victim = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [victim])
    connection.health_check_done = False  # what Django does when a request starts

    assert content_version() == expected  # no error: a new connection answered
    assert connection.connection.info.backend_pid != victim


def test_pages_are_gzipped_for_browsers_that_accept_it(content):
    import gzip

    term, _, _ = content
    client = Client()
    for _ in range(2):  # built, then from the cache
        zipped = client.get(term.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        plain = client.get(term.get_absolute_url())

        assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
        assert "Content-Encoding" not in plain
        assert without_tokens(gzip.decompress(zipped.content)) == without_tokens(plain.content)
        assert len(zipped.content) < len(plain.content) / 2


def signed_in(django_user_model, name: str) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_user(name, password="a-long-passphrase-42"))
    return client


def test_signed_in_learners_share_a_cached_term_page_with_their_own_header(
    content, django_user_model, django_assert_num_queries
):
    term, quiz, _ = content
    ada, bob = signed_in(django_user_model, "ada"), signed_in(django_user_model, "bob")
    wrong = quiz.questions.get(position=1).choices.filter(is_correct=False).first()
    ada.post(f"{quiz.get_absolute_url()}questions/1/answer/", {"choice": wrong.token}, **HX)
    Card.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))  # and now it is due
    url = term.get_absolute_url()
    assert "1 to review" in ada.get(url).content.decode()  # built for learners, then cached

    with django_assert_num_queries(3):  # session with its user, content version, ada's review count
        first = ada.get(url).content.decode()
    second = bob.get(url).content.decode()

    assert 'Log out <span class="visually-hidden">ada</span>' in first and "1 to review" in first
    assert 'Log out <span class="visually-hidden">bob</span>' in second
    assert "ada" not in second and "to review</a>" not in second
    assert placeholder("account") not in first + second and csrf_placeholder() not in first + second
    account = re.compile(r'<div class="account">.*?</div>', re.S)
    assert without_tokens(account.sub("", first).encode()) == without_tokens(account.sub("", second).encode())


def test_a_message_after_an_action_shows_once_on_a_cached_page(content):
    term, _, _ = content
    client = Client()
    client.get(term.get_absolute_url())

    client.post(
        "/report/",
        {"kind": "term", "slug": term.slug, "text": "Typo in the example.", "next": term.get_absolute_url()},
    )

    assert "your report reached the team" in client.get(term.get_absolute_url()).content.decode()
    assert "your report reached the team" not in client.get(term.get_absolute_url()).content.decode()


def test_a_signed_in_learners_token_in_a_cached_page_works(content, django_user_model):
    term, _, _ = content
    ada = signed_in(django_user_model, "ada")
    ada.handler.enforce_csrf_checks = True
    ada.get(term.get_absolute_url())
    page = ada.get(term.get_absolute_url()).content.decode()  # from the cache

    token = TOKEN_IN_FORM.search(page).group(1)
    logout_token = re.search(
        r'action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', page
    )
    sent = ada.post(
        "/report/",
        {"kind": "term", "slug": term.slug, "text": "The example is unclear.", "csrfmiddlewaretoken": token},
        **HX,
    )

    assert sent.status_code == 201 and logout_token is not None
    assert ada.post("/accounts/logout/", {"csrfmiddlewaretoken": logout_token.group(1)}).status_code == 302


def test_with_the_page_cache_off_every_request_renders_the_page(content, settings, django_assert_num_queries):
    term, _, _ = content
    settings.PAGE_CACHE = False  # what DJANGO_DEBUG=true gives a developer editing templates
    client = Client()
    client.get(term.get_absolute_url())

    with django_assert_num_queries(11):  # the term page, built again (no content version read)
        client.get(term.get_absolute_url())
    assert len(caches["pages"]._cache) == 0


def test_a_learner_page_that_reads_who_the_learner_is_is_never_shared(rf, django_user_model):
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse

    from learn.core.pagecache import cached_page

    @cached_page(sessions=True)
    def hello(request):  # a view that (wrongly) shows a learner's own data on a shared page
        return HttpResponse(f"Hello {request.user.get_username()}")

    def visit(name: str) -> str:
        request = rf.get("/hello/")
        request.htmx = False
        SessionMiddleware(lambda r: None).process_request(request)
        request.session["_auth_user_id"] = str(django_user_model.objects.get(username=name).pk)
        request.session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        request.session["_auth_user_hash"] = django_user_model.objects.get(
            username=name
        ).get_session_auth_hash()
        request.session.save()
        request = rf.get("/hello/", HTTP_COOKIE=f"sessionid={request.session.session_key}")
        request.htmx = False
        SessionMiddleware(lambda r: None).process_request(request)
        AuthenticationMiddleware(lambda r: None).process_request(request)
        return hello(request).content.decode()

    for name in ("ada", "bob"):
        django_user_model.objects.create_user(name, password="a-long-passphrase-42")

    assert visit("ada") == "Hello ada"
    assert visit("bob") == "Hello bob"
    assert len(caches["pages"]._cache) == 0


@pytest.mark.parametrize("query", ["?utm_source=x", "?q=replay&x=1"])
def test_urls_with_parameters_no_view_reads_are_served_but_not_stored(content, query):
    response = Client().get(f"/glossary/{query}")

    assert response.status_code == 200 and "Replay" in response.content.decode()
    assert len(caches["pages"]._cache) == 0


def test_a_glossary_page_number_in_other_digits_is_the_first_page(content):
    from tests.test_scale import add_terms

    add_terms(300)

    response = Client().get("/glossary/", {"letter": "G", "page": "²"})

    assert response.status_code == 200 and "300 under G: 1 to 100." in response.content.decode()


def test_a_response_with_headers_of_its_own_is_served_but_not_stored(rf, content):
    from django.http import HttpResponse

    from learn.core.pagecache import cached_page

    @cached_page()
    def private(request):
        response = HttpResponse("<p>not for search engines</p>")
        response["X-Robots-Tag"] = "noindex"
        return response

    request = rf.get("/private/")
    request.htmx = False
    for _ in range(2):
        response = private(request)
        assert response["X-Robots-Tag"] == "noindex"
    assert len(caches["pages"]._cache) == 0


def test_a_cached_view_that_reads_a_parameter_it_did_not_name_fails_loudly(rf, content):
    from django.core.exceptions import ImproperlyConfigured
    from django.http import HttpResponse

    from learn.core.pagecache import cached_page

    @cached_page(params=("page",))
    def listing(request):
        return HttpResponse(f"page {request.GET.get('page')} sorted by {request.GET.get('sort')}")

    request = rf.get("/listing/", {"page": "2"})
    request.htmx = False

    with pytest.raises(ImproperlyConfigured, match=r"\?sort= without naming it"):
        listing(request)
    request = rf.get("/listing/", {"page": "2"})
    request.htmx = False
    assert request.GET.get("sort") is None  # outside the cache's build, GET is the plain one


def test_the_kept_header_follows_the_review_count_and_the_page_address(content, django_user_model):
    term, quiz, _ = content
    ada = signed_in(django_user_model, "ada")
    wrong = quiz.questions.get(position=1).choices.filter(is_correct=False).first()
    ada.post(f"{quiz.get_absolute_url()}questions/1/answer/", {"choice": wrong.token}, **HX)
    Card.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    url = term.get_absolute_url()
    ada.get(url)
    assert "1 to review" in ada.get(url).content.decode()

    right = quiz.questions.get(position=1).choices.get(is_correct=True)
    ada.post(f"/progress/review/{quiz.slug}/1/", {"choice": right.token}, **HX)

    page = ada.get(url).content.decode()
    assert "to review</a>" not in page and 'Log out <span class="visually-hidden">ada</span>' in page
    assert f'name="next" value="{url}"' in page
    other = ada.get("/glossary/").content.decode()
    assert 'name="next" value="/glossary/"' in other and f'name="next" value="{url}"' not in other
