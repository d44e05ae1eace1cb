import re

import pytest
from django.test import Client
from django.urls import reverse

from learn.models import PathStep
from tests.conftest import HX, without_tokens
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db

BODY = """Fine-tuning on a narrow task can cause catastrophic forgetting.

## Why it happens

Shared weights move. Catastrophic forgetting again, and LoRA adapters help.

### A closer look

```python
lora = "not linked in code"
```

| Method | Cost |
|---|---|
| LoRA | low |

```chart
title: Scores
x: Benchmark
y: Accuracy (%)
series: Before, After
MMLU | 66 | 51
```
"""


def test_article_list_groups_published_articles_by_topic_with_level_and_reading_time(client):
    make_article(title="What forgetting is", body="word " * 1320)
    make_article(title="Draft article", is_published=False)

    html = client.get(reverse("learn:article_list")).content.decode()

    assert '<h2 id="topic-topic">Topic</h2>' in html
    assert "What forgetting is" in html and "Summary of What forgetting is." in html
    assert "Beginner</span> 6 min read" in html
    assert "Draft article" not in html


def test_article_page_has_toc_body_takeaways_terms_sources_and_quiz_card(client):
    make_term(name="Catastrophic forgetting")
    make_term(name="LoRA")
    adapter = make_term(name="Adapter", short_definition="A small trainable module.")
    quiz = make_quiz(title="Forgetting quiz", questions=2)
    article = make_article(title="Forgetting", body=BODY, quiz=quiz, terms=(adapter,))
    article.sources.create(title="EWC paper", url="https://arxiv.org/abs/1612.00796")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<h1>Forgetting</h1>" in html
    assert "1 min read" in html and "Updated <time" in html
    assert '<a href="#h-why-it-happens">Why it happens</a>' in html  # table of contents
    assert '<h2 id="h-why-it-happens">Why it happens</h2>' in html
    assert html.count('class="term" href="/glossary/catastrophic-forgetting/"') == 1  # first mention only
    assert 'class="term" href="/glossary/lora/"' in html
    assert 'class="term" href="/glossary/adapter/"' in html  # plural "adapters"
    assert '<span class="n">lora</span> <span class="o">=</span>' in html  # code stays code
    assert "<td>low</td>" in html  # the Markdown table
    assert '<svg class="chart-svg"' in html
    assert "Key takeaways" in html and "<li>Second takeaway.</li>" in html
    assert "A small trainable module." in html  # related terms with definitions
    # Each term once in the sidebar: the related one with its definition, the others linked.
    sidebar = html[html.index('<aside class="article-aside">') : html.index("</aside>")]
    assert "Also in this article" in sidebar and ">Catastrophic forgetting</a></li>" in sidebar
    assert sidebar.count('href="/glossary/adapter/"') == 1
    assert 'href="https://arxiv.org/abs/1612.00796"' in html
    assert "Check your understanding" in html and 'href="/quizzes/forgetting-quiz/"' in html


def test_article_without_a_published_quiz_has_no_quiz_card(client):
    quiz = make_quiz(title="Hidden quiz", is_published=False)
    article = make_article(title="Forgetting", quiz=quiz)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Check your understanding" not in html


def test_unknown_and_unpublished_articles_are_404(client):
    make_article(title="Draft", is_published=False)

    assert client.get("/learn/draft/").status_code == 404
    assert client.get("/learn/no-such-article/").status_code == 404


def test_hostile_article_markdown_is_neutralised(client):
    article = make_article(
        title="Hostile",
        body='<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<div hx-get="/admin/" onclick="y">z</div>',
    )

    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('<div class="prose article-body">') :]

    assert "<script>alert" not in body
    assert "javascript:" not in body
    assert 'hx-get="/admin/"' not in body and "onclick" not in body


def test_article_list_query_count_is_the_same_for_1_and_30_articles(client, page_queries):
    make_article(title="Only one")
    page_queries(client, reverse("learn:article_list"), 3)
    for i in range(29):
        make_article(title=f"Article {i}")
    page_queries(client, reverse("learn:article_list"), 3)


@pytest.mark.parametrize("articles", [1, 3])
def test_article_list_and_home_show_what_this_learner_has_read(client, django_assert_num_queries, articles):
    made = [make_article(title=f"Article {i}") for i in range(articles)]
    for article in made:
        client.post(reverse("learn:mark_read", args=[article.slug]))
    client.get(reverse("learn:article_list"))  # the session's once-a-day write is done

    # the session, the count, the articles, their read marks, the header's review count
    with django_assert_num_queries(5):
        mine = client.get(reverse("learn:article_list")).content.decode()
    home = client.get("/").content.decode()
    someone_else = Client().get(reverse("learn:article_list")).content.decode()

    assert mine.count('<strong class="read-mark">✓ Read</strong>') == articles
    assert home.count('<strong class="read-mark">✓ Read</strong>') == articles
    assert "read-mark" not in someone_else


def test_article_query_count_is_the_same_for_1_and_30_terms(client, page_queries):
    article = make_article(title="Forgetting", body=BODY, quiz=make_quiz(title="Q", questions=1))
    make_term(name="LoRA")
    page_queries(client, article.get_absolute_url(), 6)
    terms = [make_term(name=f"Term {i}", aliases=(f"Alias {i}",)) for i in range(29)]
    article.related_terms.set(terms)
    page_queries(client, article.get_absolute_url(), 6)


def test_term_preview_query_count_is_the_same_for_1_and_30_terms(client, page_queries):
    make_term(name="LoRA")
    page_queries(client, reverse("glossary:preview", args=["lora"]), 2, **HX)
    for i in range(29):
        make_term(name=f"Term {i}")
    page_queries(client, reverse("glossary:preview", args=["lora"]), 2, **HX)


def test_home_page_shows_the_learning_path_articles_and_quizzes(client):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Forgetting quiz", questions=5)
    make_article(title="What forgetting is", quiz=quiz, terms=(term,))

    html = client.get("/").content.decode()

    assert "Start here" in html
    assert 'href="/learn/what-forgetting-is/"' in html
    assert 'href="/glossary/replay/"' in html
    assert 'href="/quizzes/forgetting-quiz/"' in html and "5 questions" in html
    assert "Continue where you left off" not in html


def test_home_page_offers_to_continue_once_progress_exists(client):
    quiz = make_quiz(title="Forgetting quiz", questions=2)
    choice = quiz.questions.get(position=1).choices.get(is_correct=True)
    client.post(reverse("quizzes:answer", args=[quiz.slug, 1]), {"choice": choice.token}, **HX)

    html = client.get("/").content.decode()

    assert "Continue where you left off" in html
    # It lands on the first question not answered yet, not the top of the quiz.
    assert '<a href="/quizzes/forgetting-quiz/#q2">Forgetting quiz: question 2</a>' in html


def test_home_page_query_count_is_fixed(client, page_queries):
    # cold: the articles, the path's steps, the first article's terms, the quizzes and the content
    # version four times; rebuilt for the page cache, only the content version (read by the page
    # cache, the home page's content and the paths, each kept per content version)
    make_article(title="One", quiz=make_quiz(title="Q", questions=1))
    page_queries(client, "/", 3, cold=8)
    for i in range(10):
        make_article(title=f"More {i}", quiz=make_quiz(title=f"Q{i}", questions=2))
    page_queries(client, "/", 3, cold=8)


def answer_first(client, quiz, position=1):
    choice = quiz.questions.get(position=position).choices.get(is_correct=True)
    client.post(reverse("quizzes:answer", args=[quiz.slug, position]), {"choice": choice.token}, **HX)


@pytest.mark.parametrize("quizzes", [1, 10])
def test_a_learners_home_page_costs_the_same_for_1_and_10_quizzes_started(
    client, django_assert_num_queries, quizzes
):
    made = [make_quiz(title=f"Quiz {i}", questions=2) for i in range(quizzes)]
    article = make_article(title="Intro", quiz=made[0])
    PathStep.objects.create(topic=article.topic, article=article, position=1)
    PathStep.objects.create(topic=article.topic, quiz=made[0], position=2)
    for quiz in made:
        answer_first(client, quiz)
    client.post(reverse("learn:mark_read", args=[article.slug]))
    client.get("/")  # the session's once-a-day write; the shared copy and this learner's parts
    # the content version three times (page cache, home content, paths), the session, the
    # learner's read articles, their attempts, where to resume, the header's review count
    with django_assert_num_queries(8):
        html = client.get("/").content.decode()
    assert "1 of 2 done." in html and "In progress" in html
    assert f"Quiz {quizzes - 1}: question 2" in html  # the newest attempt, at its first gap
    assert html.count('<strong class="read-mark">✓ Read</strong>') == 1


def test_learners_share_the_home_page_but_never_each_others_parts(client):
    quiz = make_quiz(title="Forgetting quiz", questions=2)
    first, second = make_article(title="First read"), make_article(title="Second read")
    client.post(reverse("learn:mark_read", args=[first.slug]))
    answer_first(client, quiz)
    other = Client()
    other.post(reverse("learn:mark_read", args=[second.slug]))

    mine, theirs = client.get("/").content.decode(), other.get("/").content.decode()
    again = client.get("/").content.decode()

    assert "Continue where you left off" in mine and "Continue where you left off" not in theirs
    marked = r'<a href="/learn/{}/">[^<]+</a></h3><p>[^<]*</p><p class="meta">[^<]*<strong class="read-mark">'
    assert re.search(marked.format("first-read"), mine) and not re.search(marked.format("second-read"), mine)
    assert re.search(marked.format("second-read"), theirs) and not re.search(
        marked.format("first-read"), theirs
    )
    assert without_tokens(again.encode()) == without_tokens(mine.encode())
    # An edit shows on the learner's next request.
    quiz.title = "Forgetting, renamed"
    quiz.save()
    assert "Forgetting, renamed: question 2" in client.get("/").content.decode()


def test_search_groups_terms_articles_and_quizzes(client):
    make_term(name="Replay", short_definition="Old examples mixed back in.")
    make_article(title="Replay in practice")
    make_quiz(title="Replay quiz")

    html = client.get(reverse("learn:search"), {"q": "replay"}).content.decode()

    assert "3 results for “replay”" in html
    assert '<h2 id="r-terms">Glossary terms</h2>' in html
    assert '<h2 id="r-articles">Articles</h2>' in html
    assert '<h2 id="r-quizzes">Quizzes</h2>' in html
    assert 'value="replay"' in html  # the header's search box keeps the query


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", "Type a word to search"),
        ("x" * 1000, "No results for"),
        ("\x00", "Type a word"),
        ("🤖🤖", "No results for"),
    ],
)
def test_search_handles_empty_long_and_odd_queries(client, query, shown):
    make_term(name="Replay")

    response = client.get(reverse("learn:search"), {"q": query})

    assert response.status_code == 200
    assert shown in response.content.decode()


def test_search_treats_wildcards_literally(client):
    make_term(name="Replay")

    html = client.get(reverse("learn:search"), {"q": "%_%"}).content.decode()

    assert "No results for" in html and "/glossary/replay/" not in html


def test_search_finds_the_shipped_content(client):
    from django.core.management import call_command

    call_command("load_content")
    for query, expected in [
        ("interference", "/glossary/catastrophic-forgetting/"),
        ("LoRA", "/glossary/lora/"),
        ("replay", "/glossary/replay/"),
    ]:
        html = client.get(reverse("learn:search"), {"q": query}).content.decode()
        assert expected in html, query
        assert "No results" not in html


def test_admins_arrange_a_topics_learning_path_on_the_topic_page(admin_client):
    article = make_article(title="Intro")
    quiz = make_quiz(title="Basics", questions=1)
    url = f"/admin/learn/topic/{article.topic.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "learning path" in page.lower()

    data = {
        "name": article.topic.name,
        "slug": article.topic.slug,
        "position": 0,
        "path_steps-TOTAL_FORMS": "2",
        "path_steps-INITIAL_FORMS": "0",
        "path_steps-0-position": "1",
        "path_steps-0-article": str(article.pk),
        "path_steps-1-position": "2",
        "path_steps-1-quiz": str(quiz.pk),
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert [s.target for s in article.topic.path_steps.all()] == [article, quiz]
    # A step names an article or a quiz, not both: the database refuses it too.
    data.update(
        {"path_steps-TOTAL_FORMS": "1", "path_steps-0-quiz": str(quiz.pk), "path_steps-0-position": "3"}
    )
    data["path_steps-INITIAL_FORMS"] = "0"
    refused = admin_client.post(url, data)
    assert refused.status_code == 200 and article.topic.path_steps.count() == 2
