from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from glossary.linking import term_linker
from glossary.models import Term
from learn.core import ratelimit
from learn.core.errors import error_page
from learn.core.http import safe_next, see_other
from learn.core.learners import Learner, create_or_get
from learn.core.markdown import render as render_markdown
from learn.core.pagecache import cached_page
from learn.core.search import clean_query
from learn.forms import ReportForm
from learn.models import Article, ArticleRead, Report
from learn.paths import learning_paths, next_step
from quizzes.models import Attempt, Question, Quiz
from quizzes.progress import progress_overview

HOME_ITEMS = 6  # per section of the home page; the lists link to everything
LIST_PAGE_SIZE = 24
SEARCH_LIMIT = 20


@require_safe
@cached_page()
def home(request: HttpRequest) -> HttpResponse:
    learner = Learner.from_request(request)
    paths = learning_paths(learner)
    articles = list(Article.objects.published().select_related("topic", "quiz")[:HOME_ITEMS])
    topics: dict[int, dict] = {}
    for article in articles:
        topics.setdefault(article.topic_id, {"topic": article.topic, "articles": []})["articles"].append(
            article
        )
    first_article = articles[0] if articles and not paths else None  # "Start here" without a path
    read = ArticleRead.objects.for_learner(learner).article_ids(articles)
    quizzes = list(Quiz.objects.published().with_question_count()[:HOME_ITEMS])
    resume = (
        Attempt.objects.for_learner(learner)
        .filter(quiz__is_published=True)
        .select_related("quiz")
        .order_by("-started_at")
        .first()
    )
    context = {
        "paths": paths,
        "topics": list(topics.values()),
        "first_article": first_article,
        "path_terms": list(first_article.related_terms.published()[:4]) if first_article else [],
        "path_quiz": first_article.quiz
        if first_article and first_article.quiz_id and first_article.quiz.is_published
        else None,
        "quizzes": quizzes,
        "read": read,
        "resume": resume,
        "resume_at": resume.next_unanswered_position() if resume and not resume.finished_at else None,
        "up_next": next_step(paths) if learner else None,
    }
    return render(request, "learn/home.html", context)


@require_safe
@cached_page(params=("q",), sessions=True)
def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    results = {"terms": [], "articles": [], "quizzes": []}
    if query:
        results = {
            "terms": list(
                Term.objects.published().search(query).only("name", "slug", "short_definition")[:SEARCH_LIMIT]
            ),
            "articles": list(
                Article.objects.published().search(query).only("title", "slug", "summary")[:SEARCH_LIMIT]
            ),
            "quizzes": list(
                Quiz.objects.published().search(query).only("title", "slug", "goal")[:SEARCH_LIMIT]
            ),
        }
    context = {
        "query": query,
        "site_query": query,
        **results,
        "total": sum(len(found) for found in results.values()),
    }
    return render(request, "learn/search.html", context)


@require_safe
@cached_page(params=("page",))
def article_list(request: HttpRequest) -> HttpResponse:
    """Articles by topic, a page at a time, each saying whether this learner has read it."""
    articles = (
        Article.objects.published()
        .select_related("topic")
        .only("title", "slug", "summary", "level", "body", "topic__name", "topic__slug", "topic__description")
    )
    page = Paginator(articles, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    topics: dict[int, dict] = {}
    for article in page:
        topics.setdefault(article.topic_id, {"topic": article.topic, "articles": []})["articles"].append(
            article
        )
    read = ArticleRead.objects.for_learner(Learner.from_request(request)).article_ids(page)
    return render(
        request, "learn/article_list.html", {"topics": list(topics.values()), "page": page, "read": read}
    )


@require_safe
@cached_page()
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.published()
        .select_related("topic", "quiz")
        .prefetch_related(
            "sources",
            Prefetch("related_terms", queryset=Term.objects.published().alphabetical()),
        ),
        slug=slug,
    )
    link = term_linker()
    body = article.rendered(link=link)
    names = link.matcher.names
    related = {term.slug for term in article.related_terms.all()}
    learner = Learner.from_request(request)
    step = article.path_steps.first()
    context = {
        "article": article,
        "next_step": step.following() if step else None,
        "is_read": ArticleRead.objects.for_learner(learner).filter(article=article).exists(),
        "body": body,
        # Each term once in the sidebar: the related terms (with definitions), then the others linked.
        "terms_used": list(
            dict.fromkeys(
                (slug, names[slug]) for slug in body.linked if slug in names and slug not in related
            )
        ),
        "quiz": article.quiz if article.quiz and article.quiz.is_published else None,
    }
    return render(request, "learn/article_detail.html", context)


@require_POST
def mark_read(request: HttpRequest, slug: str) -> HttpResponse:
    """Mark an article as read (or not): counted on the learner's progress page."""
    article = get_object_or_404(Article.objects.published().only("pk", "slug", "title"), slug=slug)
    read = request.POST.get("read") != "0"
    learner = Learner.from_request(request)
    if read:
        try:
            learner = learner or Learner.start_visitor(request)
        except ratelimit.Limited:
            return error_page(request, 429)
        create_or_get(ArticleRead, {"article": article, **learner.as_fields()})  # a double click: kept once
    else:
        ArticleRead.objects.for_learner(learner).filter(article=article).delete()
    if not request.htmx:
        return see_other(f"{article.get_absolute_url()}#read")
    return render(request, "learn/article_detail.html#read", {"article": article, "is_read": read})


@require_safe
def progress(request: HttpRequest) -> HttpResponse:
    """The learner's overview: quizzes, terms and reviews (quizzes.progress), articles read."""
    learner = Learner.from_request(request)
    context = progress_overview(learner)
    context["articles_read"] = (
        ArticleRead.objects.for_learner(learner).filter(article__is_published=True).count()
    )
    context["next_step"] = next_step(learning_paths(learner)) if learner else None
    context["review_due"] = context["due"]  # the header's badge: already counted
    return render(request, "quizzes/progress.html", context)


PREVIEW_LIMIT = 100_000


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """Staff only: the site's rendering of one Markdown field of the admin form being edited."""
    if not (request.user.is_authenticated and request.user.is_staff):
        return HttpResponse(status=403)
    field = request.POST.get("preview_field", "")
    text = request.POST.get(field, "") if field and field != "csrfmiddlewaretoken" else ""
    if len(text) > PREVIEW_LIMIT:
        return HttpResponse(
            f'<p class="md-preview-error">Too long to preview (over {PREVIEW_LIMIT:,} characters).</p>'
        )
    slug = request.POST.get("slug", "")
    link = term_linker(exclude=slug if isinstance(slug, str) and slug else None)
    return HttpResponse(
        render_markdown(text, link=link).html or '<p class="md-preview-error">Nothing to show yet.</p>'
    )


def report_target(data: dict):
    """The published term, article or question a report is about, or None."""
    if data["kind"] == "term":
        term = Term.objects.published().filter(slug=data["slug"]).first()
        return {"term": term} if term else None
    if data["kind"] == "article":
        article = Article.objects.published().filter(slug=data["slug"]).first()
        return {"article": article} if article else None
    if not data.get("position"):
        return None
    question = Question.objects.published().filter(quiz__slug=data["slug"], position=data["position"]).first()
    return {"question": question} if question else None


@require_POST
def report_mistake(request: HttpRequest) -> HttpResponse:
    """A learner reports a mistake. Stored once per valid report; rate-limited per client."""
    form = ReportForm(request.POST)
    status, done = 400, False
    key = ratelimit.client_key(request)
    if ratelimit.is_limited(ratelimit.REPORT, key):
        form.add_error(
            None,
            f"You have sent many reports in a short time. Please try again in {ratelimit.REPORT.describe_wait()}.",
        )
        status = 429
    elif not form.is_valid():
        if {"kind", "slug", "position", "next"} & set(form.errors):
            # Hidden fields: only a stale or tampered page gets them wrong. Say so plainly.
            form.add_error(None, "We couldn’t find what this report is about. Reload the page and try again.")
    else:
        target = report_target(form.cleaned_data)
        if target is None:
            form.add_error(None, "We couldn’t find what this report is about. Reload the page and try again.")
            status = 404
        else:
            learner = Learner.from_request(request)
            Report.objects.create(
                text=form.cleaned_data["text"], **target, **(learner.as_fields() if learner else {})
            )
            ratelimit.record(ratelimit.REPORT, key)
            status, done = 201 if request.htmx else 200, True
    context = {"form": form, "done": done, "report": form.data}
    if request.htmx:
        return render(request, "learn/report.html#report-body", context, status=status)
    if done:
        messages.success(request, "Thank you: your report reached the team. We read every one.")
        return see_other(safe_next(request, "/"))
    return render(request, "learn/report.html", context, status=status)
