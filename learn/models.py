from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from learn.core.learners import LearnerQuerySet, one_learner
from learn.core.markdown import Rendered, reading_minutes, render
from learn.core.models import (  # noqa: F401  (the learn app's tables)
    ContentVersion,
    HealthCheck,
    LearnerSession,
    RateLimitBucket,
)


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class PathStepQuerySet(models.QuerySet):
    def published(self) -> PathStepQuerySet:
        """Steps whose article or quiz learners can see."""
        return self.filter(models.Q(article__is_published=True) | models.Q(quiz__is_published=True))


class PathStep(models.Model):
    """One step of a topic's learning path: an article to read or a quiz to take, in order.
    Admins arrange it on the topic's page; home, article ends, quiz results and /progress/
    offer the next step from it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="path_steps")
    position = models.PositiveIntegerField(default=0)
    article = models.ForeignKey(
        "learn.Article", on_delete=models.CASCADE, null=True, blank=True, related_name="path_steps"
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.CASCADE, null=True, blank=True, related_name="path_steps"
    )

    objects = PathStepQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=False, quiz__isnull=True)
                | models.Q(article__isnull=True, quiz__isnull=False),
                name="pathstep_article_or_quiz",
            ),
            models.UniqueConstraint(fields=["topic", "article"], name="pathstep_article_once"),
            models.UniqueConstraint(fields=["topic", "quiz"], name="pathstep_quiz_once"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} · {self.position}: {self.target}"

    @property
    def target(self):
        return self.article or self.quiz

    @property
    def kind(self) -> str:
        return "article" if self.article_id else "quiz"

    def following(self) -> PathStep | None:
        """The next published step of the same path."""
        return (
            PathStep.objects.filter(topic_id=self.topic_id, position__gt=self.position)
            .published()
            .select_related("article", "quiz")
            .first()
        )


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(is_published=True)


class Article(models.Model):
    class Level(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=400)
    body = models.TextField(help_text="Markdown. Use ## and ### headings; they build the table of contents.")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="articles")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BEGINNER)
    key_takeaways = models.TextField(blank=True, help_text="One takeaway per line.")
    related_terms = models.ManyToManyField("glossary.Term", blank=True, related_name="articles")
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The quiz offered in the “Check your understanding” card.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Reading order within the topic.")
    is_published = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["topic__position", "position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learn:article", args=[self.slug])

    def as_learner_url(self) -> str:
        """Where staff see this article as learners do: its page, or its draft preview until published."""
        return (
            self.get_absolute_url() if self.is_published else reverse("learn:article_draft", args=[self.slug])
        )

    def rendered(self, link=None) -> Rendered:
        return render(self.body, link=link)

    @property
    def reading_minutes(self) -> int:
        # Unlinked rendering is cached by text, so lists pay for it once per edit.
        return reading_minutes(self.rendered().words)

    @property
    def takeaways(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.key_takeaways.splitlines() if line.strip(" -*\t")]


class Source(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ArticleReadQuerySet(LearnerQuerySet):
    def article_ids(self, articles) -> set[int]:
        """Which of ``articles`` these read marks cover (no query for a learner without any)."""
        return set(self.filter(article__in=[a.pk for a in articles]).values_list("article_id", flat=True))


class ArticleRead(models.Model):
    """A learner marked an article as read (the button at the end of every article)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="articles_read",
    )
    visitor = models.UUIDField(null=True, blank=True, db_index=True)
    read_at = models.DateTimeField(default=timezone.now)

    objects = ArticleReadQuerySet.as_manager()

    class Meta:
        constraints = [
            one_learner("read_has_one_learner"),
            models.UniqueConstraint(
                fields=["user", "article"], condition=models.Q(user__isnull=False), name="read_unique_user"
            ),
            models.UniqueConstraint(
                fields=["visitor", "article"],
                condition=models.Q(visitor__isnull=False),
                name="read_unique_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} read {self.read_at:%Y-%m-%d}"


def adopt_visitor_reads(*, visitor, user) -> int:
    """Articles a visitor marked as read become the account's (duplicates are dropped).
    Returns how many the visitor had."""
    if visitor is None:
        return 0
    already = set(ArticleRead.objects.filter(user=user).values_list("article_id", flat=True))
    dropped = ArticleRead.objects.filter(visitor=visitor, article_id__in=already).delete()[0]
    return dropped + ArticleRead.objects.filter(visitor=visitor).update(user=user, visitor=None)


REPORT_MAX_LENGTH = 1000


class Report(models.Model):
    """A learner's report of a mistake in a term, an article or a question."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FIXED = "fixed", "Fixed"
        DISMISSED = "dismissed", "Dismissed"

    term = models.ForeignKey(
        "glossary.Term", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    text = models.TextField(max_length=REPORT_MAX_LENGTH)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    visitor = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True, help_text="For the team: what was done.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(term__isnull=False, article__isnull=True, question__isnull=True)
                    | models.Q(term__isnull=True, article__isnull=False, question__isnull=True)
                    | models.Q(term__isnull=True, article__isnull=True, question__isnull=False)
                ),
                name="report_has_one_target",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), REPORT_MAX_LENGTH), name="report_text_max_length"
            ),
            models.CheckConstraint(condition=GreaterThan(Length("text"), 0), name="report_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.target}"

    @property
    def target(self):
        return self.term or self.article or self.question

    @property
    def target_url(self) -> str:
        if self.question_id:
            return f"{self.question.quiz.get_absolute_url()}#q{self.question.position}"
        return self.target.get_absolute_url()


# ---- A learner's own data (the account page's download and deletion, the cleanup) ------------


def learner_data(learner) -> dict:
    """What this app keeps about one learner: articles marked as read and reports they sent."""
    reads = ArticleRead.objects.for_learner(learner).select_related("article").order_by("read_at", "pk")
    reports = (
        Report.objects.filter(**learner.as_fields())
        .select_related("term", "article", "question__quiz")
        .order_by("created_at", "pk")
    )
    return {
        "articles_read": [
            {"article": r.article.title, "slug": r.article.slug, "read_at": r.read_at.isoformat()}
            for r in reads
        ],
        "reports": [
            {
                "about": str(report.target),
                "text": report.text,
                "status": report.status,
                "created_at": report.created_at.isoformat(),
            }
            for report in reports
        ],
    }


def delete_learner_data(learner) -> int:
    """Delete the learner's read marks; their reports stay (the mistake is still worth fixing)
    without the link to them. Returns how many rows were deleted or unlinked."""
    with transaction.atomic():
        deleted = ArticleRead.objects.for_learner(learner).delete()[0]
        return deleted + Report.objects.filter(**learner.as_fields()).update(user=None, visitor=None)


def idle_visitors(before) -> set:
    """Anonymous visitors with rows here and none written since ``before`` (for the cleanup)."""
    seen = set(ArticleRead.objects.filter(visitor__isnull=False).values_list("visitor", flat=True))
    seen |= set(Report.objects.filter(visitor__isnull=False).values_list("visitor", flat=True))
    recent = set(
        ArticleRead.objects.filter(visitor__isnull=False, read_at__gte=before).values_list(
            "visitor", flat=True
        )
    )
    recent |= set(
        Report.objects.filter(visitor__isnull=False, created_at__gte=before).values_list("visitor", flat=True)
    )
    return seen - recent
