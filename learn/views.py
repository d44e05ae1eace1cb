from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe

from glossary.linking import term_linker
from glossary.models import Term
from learn.core import ratelimit
from learn.core.errors import error_page
from learn.core.fragments import render_fragments
from learn.core.http import safe_next, see_other, staff_preview
from learn.core.inprocess import Kept
from learn.core.learners import Learner, create_or_get
from learn.core.markdown import render as render_markdown
from learn.core.models import content_version
from learn.core.pagecache import cached_page, is_shell
from learn.forms import ReportForm
from learn.models import Article, ArticleRead, Report
from learn.paths import learner_marks, learning_paths, next_step, published_steps
from learn.search import site_search
from quizzes.models import Question, Quiz, next_unanswered
from quizzes.progress import progress_overview, render_rows

HOME_ITEMS = 6  # per section of the home page; the lists link to everything
LIST_PAGE_SIZE = 24


HOME = Kept(max_entries=8)  # content version -> what the home page shows of the content


def home_content() -> dict:
    """The home page's articles (by topic) and quizzes, and the "Start here" card shown when no
    topic has a path: four queries per content version, then kept (read-only)."""
    version = content_version()
    found = HOME.get(version) if version is not None else None
    if found is None:
        articles = list(Article.objects.published().select_related("topic", "quiz")[:HOME_ITEMS])
        topics: dict[int, dict] = {}
        for article in articles:
            topics.setdefault(article.topic_id, {"topic": article.topic, "articles": []})["articles"].append(
                article
            )
        first = articles[0] if articles and not published_steps() else None
        found = {
            "version": version,
            "topics": list(topics.values()),
            "article_ids": [article.pk for article in articles],
            "first_article": first,
            "path_terms": list(first.related_terms.published()[:4]) if first else [],
            "path_quiz": first.quiz if first and first.quiz_id and first.quiz.is_published else None,
            "quizzes": list(Quiz.objects.published().with_question_count()[:HOME_ITEMS]),
        }
        if version is not None:
            HOME.set(version, found)
    return found


def home_learner(learner: Learner | None) -> dict:
    """What the home page shows of the learner: their paths, read marks and the quiz to resume."""
    marks = learner_marks(learner)
    paths = learning_paths(learner, marks)
    resume = marks.latest
    return {
        "paths": paths,
        "read": marks.read,
        "resume": resume,
        "resume_at": next_unanswered(resume.attempt_id, resume.quiz.pk)
        if resume and not resume.finished
        else None,
        "up_next": next_step(paths) if learner else None,
    }


def home_parts(request: HttpRequest) -> dict[str, str]:
    """The home page's parts of the learner's own (where they stand on the paths, the quiz to
    resume, their read marks), around the copy of the page that learners share; each part kept
    per content version and what it shows of the learner, so learners in the same state share it."""
    content, learner = home_content(), home_learner(Learner.from_request(request))
    context = {**content, **learner}
    resume = learner["resume"]
    states = {
        "learner": (
            tuple((s.step.pk, s.done, s.started) for path in learner["paths"] for s in path.steps),
            (resume.quiz.pk, resume.finished, learner["resume_at"]) if resume else None,
        ),
        "articles": tuple(pk for pk in content["article_ids"] if pk in learner["read"]),
    }
    return {
        name: render_fragments(
            request,
            f"learn/home.html#{name}",
            [state],
            version=content["version"],
            key=lambda state: state,
            context=lambda _: context,
        )[0]
        for name, state in states.items()
    }


@require_safe
@cached_page(own=("learner", "articles"), fill=home_parts)
def home(request: HttpRequest) -> HttpResponse:
    context = home_content()
    if not is_shell(request):  # the copy learners share leaves their parts as holes
        context = {**context, **home_learner(Learner.from_request(request))}
    return render(request, "learn/home.html", context)


@require_safe
@cached_page(params=("q",), sessions=True)
def search(request: HttpRequest) -> HttpResponse:
    """Terms, articles and quizzes at once (learn.search); with htmx, the results alone, as the
    box is typed in."""
    results = site_search(request.GET.get("q"))
    context = {"query": results.query, "results": results}
    template = "learn/search.html#results" if request.htmx else "learn/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


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


def article_read_mark(request: HttpRequest, slug: str) -> dict[str, str]:
    """The article page's one part of the learner's own: its "mark as read" box."""
    learner = Learner.from_request(request)
    is_read = ArticleRead.objects.for_learner(learner).filter(article__slug=slug).exists()
    context = {"article": {"slug": slug}, "is_read": is_read}
    return {"read": render_to_string("learn/article_detail.html#read", context, request)}


@require_safe
@cached_page(own=("read",), fill=article_read_mark)
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return article_page(request, get_object_or_404(with_page_parts(Article.objects.published()), slug=slug))


@require_safe
@staff_preview
def article_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """An article as learners will see it, published or not: for staff only."""
    article = get_object_or_404(with_page_parts(Article.objects.all()), slug=slug)
    if article.is_published:
        return redirect(article)
    return article_page(request, article, draft=reverse("admin:learn_article_change", args=[article.pk]))


def with_page_parts(articles):
    return articles.select_related("topic", "quiz").prefetch_related(
        "sources", Prefetch("related_terms", queryset=Term.objects.published().alphabetical())
    )


def article_page(request: HttpRequest, article: Article, draft: str = "") -> HttpResponse:
    link = term_linker()
    body = article.rendered(link=link)
    names = link.matcher.names
    related = {term.slug for term in article.related_terms.all()}
    step = article.path_steps.first()
    context = {
        "article": article,
        "next_step": step.following() if step else None,
        # Read only if the box is shown (not in the copy learners share, where it is a hole).
        "is_read": lambda: (
            ArticleRead.objects.for_learner(Learner.from_request(request)).filter(article=article).exists()
        ),
        "body": body,
        # Each term once in the sidebar: the related terms (with definitions), then the others linked.
        "terms_used": list(
            dict.fromkeys(
                (slug, names[slug]) for slug in body.linked if slug in names and slug not in related
            )
        ),
        "quiz": article.quiz if article.quiz and article.quiz.is_published else None,
        "draft": draft,
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
    render_rows(request, context)
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


CHEAT_SHEET = [
    (
        "Headings",
        "Start a line with ## for a section and ### for a part of it (the page title is the\nonly level-one heading).\n\n## Why it happens\n\n### In small networks",
    ),
    ("Emphasis", "Write **bold** for a word nobody may misread, *italics* for a name or a stress."),
    ("Lists", "- a point\n- another point\n\n1. a first step\n2. a second step"),
    ("Links", "[the paper](https://arxiv.org/abs/1612.00796), or a link inside the site: [the lab](/lab/)"),
    (
        "Glossary terms",
        "Nothing to type: the first mention of a published term's name or alias links to it, for\n"
        "example catastrophic forgetting or fine-tuning. A page never links to itself.",
    ),
    (
        "Code",
        "Inline `learning_rate = 1e-5`, or a block:\n\n```python\nloss = task_loss + lam * penalty\n```",
    ),
    (
        "Tables",
        "| Method (illustrative) | Keeps task A |\n| --- | ---: |\n| Replay | 94 % |\n| Naive | 46 % |",
    ),
    ("Quotes", "> A quotation, with its source after it."),
    (
        "Charts",
        "```chart\ntitle: Illustrative: accuracy on task A\nx: Method\ny: Accuracy (%)\nseries: Task A, Task B\n"
        "Naive | 46 | 99\nReplay | 94 | 98\n```",
    ),
]


@require_safe
@staff_preview
def markdown_help(request: HttpRequest) -> HttpResponse:
    """Staff only: what each piece of Markdown looks like to learners, rendered by the site itself."""
    link = term_linker()
    rows = [(name, source, render_markdown(source, link=link).html) for name, source in CHEAT_SHEET]
    return render(request, "learn/markdown_help.html", {"rows": rows})


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


LAB_REFERENCE = "js/lab/reference.json"  # written by static/js/lab/make-reference.mjs
LAB_SETTINGS = {  # how a sweep's knob value reads in the table
    "lowLr": "learning rate {:g}".format,
    "buffer": "{:g} points kept".format,
    "lambda": "λ = {:,g}".format,
    "freeze": {1: "first hidden layer", 2: "both hidden layers"}.get,
    "rank": "rank {:g}".format,
}


@require_safe
@cached_page()
def lab(request: HttpRequest) -> HttpResponse:
    """The forgetting lab. The network trains in the learner's browser (static/js/lab/); the page
    itself carries the reference runs the same code computed under Node, as tables and SVG, so it
    shows forgetting without JavaScript too. The query string holds the lab's settings: the script
    reads it, the server has nothing to do with it."""
    with open(finders.find(LAB_REFERENCE), encoding="utf-8") as file:
        reference = json.load(file)
    moons = reference["scenarios"]["moons"]
    naive = moons["runs"][0]
    names = {run["mitigation"]: run["name"] for run in moons["runs"]}
    sweep = [
        {
            **point,
            "name": names[point["mitigation"]],
            "setting": LAB_SETTINGS[point["knob"]](point["value"]) if point["knob"] else "",
        }
        for point in reference["sweep"]["points"]
    ]
    context = {
        "reference": reference,
        "scenarios": reference["scenarios"].values(),
        "sweep": sweep,
        "naive_chart": _lab_chart(
            "lab-naive",
            "Plain fine-tuning, seed 1: accuracy on the test sets of both tasks",
            naive["curve"]["step"],
            [("Task A", "line-a", naive["curve"]["a"]), ("Task B", "line-b", naive["curve"]["b"])],
            moons["bStart"],
        ),
        "compare_chart": _lab_chart(
            "lab-compare-reference",
            "Task A's accuracy under each mitigation, seed 1",
            naive["curve"]["step"],
            [(run["name"], f"m-{run['mitigation']}", run["curve"]["a"]) for run in moons["runs"]],
            moons["bStart"],
        ),
    }
    return render(request, "learn/lab.html", context)


def _lab_chart(chart_id: str, title: str, steps: list[int], series: list[tuple], b_start: int) -> dict:
    """A line chart of accuracies (0 to 100) against training steps, as numbers for the template's
    SVG and its table; static/js/lab/page.mjs draws the live charts with the same geometry."""
    width, height, left, right, top, bottom = 640, 310, 52, 34, 30, 54
    plot_w, plot_h, x_max = width - left - right, height - top - bottom, steps[-1]

    def x(step: float) -> float:
        return round(left + plot_w * step / x_max, 2)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - value / 100), 2)

    lines = [
        {
            "name": name,
            "cls": cls,
            "points": " ".join(f"{x(s)},{y(v)}" for s, v in zip(steps, values, strict=True)),
        }
        for name, cls, values in series
    ]
    summary = "; ".join(
        f"{name}: {values[0]:g} % at the start, {values[steps.index(b_start)]:g} % when task B starts, "
        f"{values[-1]:g} % at the end"
        for name, _, values in series
    )
    return {
        "id": chart_id,
        "title": title,
        "width": width,
        "height": height,
        "plot": {"left": left, "top": top, "right": width - right, "bottom": height - bottom},
        "x_ticks": [{"x": x(step), "label": f"{step:,}"} for step in range(0, x_max + 1, x_max // 5)],
        "y_ticks": [{"y": y(value), "label": value} for value in (0, 25, 50, 75, 100)],
        "ticks_y": height - bottom + 20,
        "marker": x(b_start),
        "middle": (left + width - right) / 2,
        "x_max": x_max,
        "series": lines,
        "summary": f"{title}. {summary}.",
        "head": [name for name, _, _ in series],
        "rows": [(steps[i], [values[i] for _, _, values in series]) for i in range(0, len(steps), 10)],
    }
