"""The shipped content: loaded from the fixtures, checked for the invariants learners rely on."""

import pytest
from django.core.management import call_command

from glossary.models import SECTIONS, Alias, Term
from learn.core.markdown import render

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    call_command("load_content")


def test_glossary_has_at_least_20_published_terms(content):
    assert Term.objects.published().count() >= 20


def test_every_term_is_complete(content):
    for term in Term.objects.prefetch_related("sources", "related", "categories"):
        filled = [field for field, _ in SECTIONS if getattr(term, field).strip()]
        assert len(filled) >= 3, term
        assert term.short_definition.strip().endswith("."), term
        assert term.sources.exists(), term
        assert term.related.exists(), term
        assert term.categories.exists(), term
        for field in filled:
            assert render(getattr(term, field)).html.strip(), (term, field)


def test_related_terms_exist_and_are_symmetric(content):
    for term in Term.objects.prefetch_related("related"):
        for other in term.related.all():
            assert term in other.related.all(), (term, other)


def test_no_alias_collides_with_a_name_or_another_alias(content):
    names = [t.name.lower() for t in Term.objects.all()]
    aliases = [a.name.lower() for a in Alias.objects.all()]
    assert len(set(aliases)) == len(aliases)
    assert not set(aliases) & set(names)


def test_loading_twice_changes_nothing(content):
    before = list(Term.objects.values().order_by("pk"))
    call_command("load_content")
    assert list(Term.objects.values().order_by("pk")) == before


def test_every_shipped_question_is_well_formed(content):
    from quizzes.models import Question, Quiz

    assert Quiz.objects.published().count() >= 3
    for quiz in Quiz.objects.published():
        assert quiz.questions.count() >= 5, quiz
    for question in Question.objects.prefetch_related("choices", "related_terms"):
        choices = list(question.choices.all())
        correct = sum(c.is_correct for c in choices)
        if question.is_numeric:
            assert not choices and question.accepted_value is not None and question.tolerance >= 0, question
        else:
            assert len(choices) >= 2, question
        if question.kind == "single":
            assert correct == 1, question
        if question.is_multiple:
            assert 1 <= correct < len(choices), question
            assert "select all that apply" in question.prompt.lower(), question
        assert not question.issues(), (question, question.issues())
        assert all(c.rationale.strip() for c in choices), question
        assert len({c.text.strip().lower() for c in choices}) == len(choices), question
        assert question.explanation.strip(), question
        assert render(question.prompt).html.strip(), question
        assert question.related_terms.exists(), question


def test_articles_link_their_quizzes_and_terms(content):
    from learn.models import Article

    articles = list(Article.objects.published().select_related("quiz"))
    assert len(articles) >= 3
    for article in articles:
        assert article.quiz is not None and article.quiz.is_published, article
        assert article.related_terms.exists(), article
        assert article.sources.exists(), article
        assert len(article.takeaways) >= 3, article


def test_the_content_is_enough_to_master_both_topics(content):
    """Issue 15's bar: two topics, 67 terms, 10 articles, over 100 questions with objectives, every
    kind of question, and a balance of application and analysis in each topic."""
    from glossary.models import Term
    from learn.models import Article, PathStep
    from quizzes.models import Objective, Question

    assert Term.objects.published().count() >= 67
    assert Article.objects.published().filter(topic__slug="catastrophic-forgetting").count() >= 6
    assert (
        Article.objects.published().filter(topic__slug="preference-tuning-and-the-alignment-tax").count() >= 4
    )
    assert all(term.sources.exists() for term in Term.objects.published())
    for prefix, at_least in (("t1-", 60), ("t2-", 40)):
        questions = Question.objects.filter(objective__key__startswith=prefix)
        assert questions.count() >= at_least
        levels = [q.level for q in questions]
        assert levels.count("application") >= 0.4 * len(levels)
        assert levels.count("analysis") >= 0.3 * len(levels)
        assert questions.filter(kind="multiple").exists() and questions.filter(kind="numeric").exists()
    assert not Question.objects.filter(objective__isnull=True).exists()
    for objective in Objective.objects.all():
        assert objective.questions.count() >= 3, objective
    assert PathStep.objects.filter(topic__slug="preference-tuning-and-the-alignment-tax").count() >= 8
