from __future__ import annotations

import datetime as dt
import secrets
import uuid
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from learn.core import ratelimit
from learn.core.learners import Learner, LearnerQuerySet, create_or_get, one_learner
from learn.core.markdown import Rendered, render
from quizzes import analysis, checks, schedule, scoring


class QuizQuerySet(models.QuerySet):
    def published(self) -> QuizQuerySet:
        return self.filter(is_published=True)

    def with_question_count(self) -> QuizQuerySet:
        return self.annotate(question_count=Count("questions", distinct=True))

    def with_reading(self) -> QuizQuerySet:
        """Each quiz's published background reading, through the reverse relation
        ``quiz.articles``: the articles app points at quizzes, and quizzes never import it."""
        articles = self.model.articles.rel.related_model.objects.published()
        return self.prefetch_related(Prefetch("articles", queryset=articles.only("title", "slug", "quiz_id")))

    def with_stats(self) -> QuizQuerySet:
        """For authors: questions, attempts, finished attempts and right answers in finished attempts."""

        def count(queryset, key: str = "quiz_id") -> Coalesce:
            grouped = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
            return Coalesce(Subquery(grouped), 0)

        return self.annotate(
            question_count=count(Question.objects.filter(quiz=OuterRef("pk"))),
            attempt_count=count(Attempt.objects.filter(quiz=OuterRef("pk"))),
            finished_count=count(Attempt.objects.filter(quiz=OuterRef("pk"), finished_at__isnull=False)),
            finished_right=count(
                Answer.objects.filter(
                    attempt__quiz=OuterRef("pk"), attempt__finished_at__isnull=False, is_correct=True
                ),
                key="attempt__quiz_id",
            ),
        )


class Quiz(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    goal = models.CharField(max_length=200, help_text="One line: what the learner will be able to do.")
    description = models.TextField(blank=True, help_text="Markdown.")
    related_terms = models.ManyToManyField("glossary.Term", blank=True, related_name="quizzes")
    is_published = models.BooleanField(default=True, db_index=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:detail", args=[self.slug])

    def rendered_description(self) -> Rendered:
        return render(self.description)

    @property
    def completion_rate(self) -> int | None:
        """Share of attempts finished, in percent (needs ``with_stats()``)."""
        return round(100 * self.finished_count / self.attempt_count) if self.attempt_count else None

    @property
    def average_percent(self) -> int | None:
        """Average score of finished attempts, in percent (needs ``with_stats()``)."""
        possible = self.finished_count * self.question_count
        return round(100 * self.finished_right / possible) if possible else None


class QuestionQuerySet(models.QuerySet):
    def published(self) -> QuestionQuerySet:
        return self.filter(quiz__is_published=True)

    def for_answering(self) -> QuestionQuerySet:
        return self.select_related("quiz").prefetch_related("choices", "related_terms")


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    prompt = models.TextField(help_text="Markdown; often a short scenario, then the question.")
    explanation = models.TextField(
        help_text="Markdown, shown after answering: why the right answer is right."
    )
    related_terms = models.ManyToManyField(
        "glossary.Term", blank=True, related_name="questions", help_text="Shown as “Review: term” links."
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "position"], name="question_unique_position")]

    def __str__(self) -> str:
        return f"{self.quiz} · question {self.position}"

    def correct_choice(self) -> Choice | None:
        return next((c for c in self.choices.all() if c.is_correct), None)

    def choice_for_token(self, token: str) -> Choice | None:
        return next((c for c in self.choices.all() if c.token == token), None)

    def issues(self) -> list[checks.Issue]:
        """Errors and warnings about this question's structure and wording (see quizzes/checks.py)."""
        return checks.check_question(
            prompt=self.prompt,
            explanation=self.explanation,
            choices=[checks.ChoiceData(c.text, c.is_correct, c.rationale) for c in self.choices.all()],
            missing_terms=[t.name for t in self.related_terms.all() if not t.is_published],
        )

    def ordered_choices(self, seed: int) -> list[Choice]:
        by_pk = {c.pk: c for c in self.choices.all()}
        return [by_pk[pk] for pk in scoring.shuffled(seed, list(by_pk))]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0, help_text="Order in admin; learners see a shuffle.")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    rationale = models.TextField(help_text="Why this choice is right or wrong.")

    class Meta:
        ordering = ["question", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"], condition=Q(is_correct=True), name="choice_one_correct_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @cached_property
    def token(self) -> str:
        return scoring.opaque_token(settings.SECRET_KEY.encode(), self.pk)


class AttemptQuerySet(LearnerQuerySet):
    def with_correct_count(self) -> AttemptQuerySet:
        return self.annotate(
            correct_count=Count("answers", filter=Q(answers__is_correct=True)),
            answer_count=Count("answers"),
        )


class Attempt(models.Model):
    """One run through a quiz by one learner: a signed-in user, or an anonymous visitor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="attempts"
    )
    visitor = models.UUIDField(null=True, blank=True, db_index=True, help_text="Anonymous learner's id.")
    number = models.PositiveIntegerField(default=1)
    seed = models.BigIntegerField(help_text="Orders the choices for this attempt.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "-number"]
        constraints = [
            one_learner("attempt_has_one_learner"),
            models.UniqueConstraint(
                fields=["user", "quiz", "number"],
                condition=Q(user__isnull=False),
                name="attempt_unique_user_number",
            ),
            models.UniqueConstraint(
                fields=["visitor", "quiz", "number"],
                condition=Q(visitor__isnull=False),
                name="attempt_unique_visitor_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · attempt {self.number}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="answers")
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempt", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_one_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} · {self.question.position}: {'right' if self.is_correct else 'wrong'}"


class ReviewItemQuerySet(LearnerQuerySet):
    def due(self, today) -> ReviewItemQuerySet:
        return self.filter(due_on__isnull=False, due_on__lte=today, question__quiz__is_published=True)


class ReviewItem(models.Model):
    """A question one learner missed, on its spaced-review schedule (see quizzes/schedule.py)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_items")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="review_items"
    )
    visitor = models.UUIDField(null=True, blank=True, db_index=True)
    step = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(null=True, blank=True, help_text="Empty once the question left the queue.")
    last_choice = models.ForeignKey(
        Choice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_correct = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["user", "due_on"]), models.Index(fields=["visitor", "due_on"])]
        constraints = [
            one_learner("review_has_one_learner"),
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=Q(user__isnull=False),
                name="review_unique_user_question",
            ),
            models.UniqueConstraint(
                fields=["visitor", "question"],
                condition=Q(visitor__isnull=False),
                name="review_unique_visitor_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} · due {self.due_on or 'never'}"


class ReviewAnswer(models.Model):
    """One answer given on the review page; the history behind a review item."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="+")
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at"]

    def __str__(self) -> str:
        return f"{self.item.question}: {'right' if self.is_correct else 'wrong'}"


def new_seed() -> int:
    return secrets.randbits(62)


def first_attempt_seed(learner: Learner | None, quiz_pk: int) -> int:
    """The choice order before a first attempt exists: stable on reload, different per learner."""
    return scoring.seed_for(settings.SECRET_KEY.encode(), learner.who if learner else "-", quiz_pk)


TOO_FAST = "You are answering very fast. Wait a minute, then try again: nothing was lost."


def answers_in_last_minute(learner: Learner) -> int:
    since = timezone.now() - dt.timedelta(minutes=1)
    return Answer.objects.filter(
        attempt__in=Attempt.objects.for_learner(learner), answered_at__gte=since
    ).count()


def record_answer(
    *, learner, question: Question, choice: Choice, first_seed: int, out_of: int | None = None
) -> tuple[Answer, bool]:
    """Store one learner's answer to one question: once, whatever the number of submissions.

    The attempt is the learner's latest for the quiz, created here at the first answer with the
    seed the page was shown with. A second submission returns the stored answer unchanged.
    ``out_of`` is the quiz's number of questions when the caller has it (counted otherwise).
    Returns the answer (its ``attempt`` is the learner's attempt, up to date) and whether it was
    created by this call. Raises ``ratelimit.Limited`` (storing nothing) for a learner answering
    faster than ``ANSWERS_PER_MINUTE``.
    """
    if choice.question_id != question.pk:
        raise ValueError("choice of another question")
    if answers_in_last_minute(learner) >= settings.ANSWERS_PER_MINUTE:
        raise ratelimit.Limited(TOO_FAST)
    with transaction.atomic():
        # Lock the attempt: two last answers arriving together must not both count N-1 answers
        # (PostgreSQL's READ COMMITTED) and leave a complete attempt unfinished.
        latest = Attempt.objects.for_learner(learner).filter(quiz_id=question.quiz_id).order_by("-number")
        attempt = latest.select_for_update().first()
        if attempt is None:
            attempt, _ = create_or_get(
                Attempt,
                {**learner.as_fields(), "quiz_id": question.quiz_id, "number": 1},
                {"seed": first_seed},
            )
            attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        answer, created = create_or_get(
            Answer,
            {"attempt": attempt, "question": question},
            {"choice": choice, "is_correct": choice.is_correct},
        )
        if created:
            answered = attempt.answers.count()
            if out_of is None:
                out_of = Question.objects.filter(quiz_id=question.quiz_id).count()
            if answered >= out_of and not attempt.finished_at:
                attempt.finished_at = timezone.now()
                Attempt.objects.filter(pk=attempt.pk).update(finished_at=attempt.finished_at)
            reschedule(learner=learner, question=question, choice=choice)
        return answer, created


def reschedule(*, learner, question: Question, choice: Choice) -> ReviewItem | None:
    """Move a question along the learner's review queue after an answer (inside the caller's atomic)."""
    item = ReviewItem.objects.for_learner(learner).filter(question=question).first()
    following = schedule.after_answer(
        step=item.step if item and item.due_on else None,
        correct=choice.is_correct,
        today=timezone.localdate(),
    )
    if following is None:
        return item
    fields = {
        "step": following.step,
        "due_on": following.due,
        "last_choice": choice,
        "last_correct": choice.is_correct,
        "updated_at": timezone.now(),
    }
    if item is None:
        item, created = create_or_get(ReviewItem, {**learner.as_fields(), "question": question}, fields)
        if created:
            return item
    ReviewItem.objects.filter(pk=item.pk).update(**fields)
    return item


def record_review(*, learner, question: Question, choice: Choice) -> tuple[ReviewItem | None, bool]:
    """Answer a due question on the review page. Not due (already answered): nothing changes.

    Returns the item as it stands and whether this call recorded an answer.
    """
    if choice.question_id != question.pk:
        raise ValueError("choice of another question")
    with transaction.atomic():
        item = ReviewItem.objects.for_learner(learner).select_for_update().filter(question=question).first()
        if item is None or not schedule.is_due(item.due_on, timezone.localdate()):
            return item, False
        ReviewAnswer.objects.create(item=item, choice=choice, is_correct=choice.is_correct)
        reschedule(learner=learner, question=question, choice=choice)
        item.refresh_from_db()
        return item, True


def start_new_attempt(*, learner, quiz: Quiz) -> Attempt:
    """ "Take it again": a new attempt after the learner's latest; earlier attempts are kept.

    Two racing clicks create one attempt: the second finds the number taken and returns it.
    """
    with transaction.atomic():
        latest = Attempt.objects.for_learner(learner).filter(quiz=quiz).order_by("-number").first()
        if latest is not None and not latest.answers.exists():
            return latest
        number = latest.number + 1 if latest else 1
        attempt, _ = create_or_get(
            Attempt, {**learner.as_fields(), "quiz": quiz, "number": number}, {"seed": new_seed()}
        )
        return attempt


def adopt_visitor_progress(*, visitor, user) -> int:
    """Move everything an anonymous visitor did to the account they signed up or logged in with.

    Attempts keep their answers and are numbered after the account's own attempts at the same
    quiz (both are kept). A question queued for review on both sides keeps the earlier due date
    and the history of both. Returns the number of attempts moved.
    """
    if visitor is None:
        return 0
    with transaction.atomic():
        moved = 0
        latest = dict(
            Attempt.objects.filter(user=user)
            .values("quiz_id")
            .annotate(n=models.Max("number"))
            .values_list("quiz_id", "n")
        )
        for attempt in Attempt.objects.filter(visitor=visitor).order_by("quiz_id", "number"):
            latest[attempt.quiz_id] = latest.get(attempt.quiz_id, 0) + 1
            Attempt.objects.filter(pk=attempt.pk).update(
                user=user, visitor=None, number=latest[attempt.quiz_id]
            )
            moved += 1
        mine = {item.question_id: item for item in ReviewItem.objects.filter(user=user)}
        for item in ReviewItem.objects.filter(visitor=visitor):
            kept = mine.get(item.question_id)
            if kept is None:
                ReviewItem.objects.filter(pk=item.pk).update(user=user, visitor=None)
                continue
            ReviewAnswer.objects.filter(item=item).update(item=kept)
            dues = [d for d in (kept.due_on, item.due_on) if d is not None]
            if dues and min(dues) != kept.due_on:
                ReviewItem.objects.filter(pk=kept.pk).update(due_on=min(dues), step=item.step)
            item.delete()
        return moved


def item_analysis(quiz: Quiz) -> dict[int, analysis.ItemStats]:
    """Statistics per question of ``quiz``, from each learner's first finished attempt."""
    firsts: dict[tuple, int] = {}
    for attempt_id, user_id, visitor in (
        Attempt.objects.filter(quiz=quiz, finished_at__isnull=False)
        .order_by("number")
        .values_list("pk", "user_id", "visitor")
    ):
        firsts.setdefault((user_id, visitor), attempt_id)
    responses: dict[int, dict[int, tuple[int, bool]]] = {attempt_id: {} for attempt_id in firsts.values()}
    for attempt_id, question_id, choice_id, correct in Answer.objects.filter(
        attempt_id__in=responses
    ).values_list("attempt_id", "question_id", "choice_id", "is_correct"):
        responses[attempt_id][question_id] = (choice_id, correct)
    choices: dict[int, list[int]] = {}
    for question_id, choice_id in Choice.objects.filter(question__quiz=quiz).values_list("question_id", "pk"):
        choices.setdefault(question_id, []).append(choice_id)
    return analysis.analyse(list(responses.values()), choices)
