from __future__ import annotations

import secrets
import uuid
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from learn.markdown import Rendered, render
from quizzes import scoring


class QuizQuerySet(models.QuerySet):
    def published(self) -> QuizQuerySet:
        return self.filter(is_published=True)

    def with_question_count(self) -> QuizQuerySet:
        return self.annotate(question_count=Count("questions", distinct=True))

    def search(self, query: str) -> QuizQuerySet:
        return self.filter(
            Q(title__icontains=query) | Q(goal__icontains=query) | Q(description__icontains=query)
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


class AttemptQuerySet(models.QuerySet):
    def for_learner(self, learner) -> AttemptQuerySet:
        if learner is None:
            return self.none()
        if learner.user_id:
            return self.filter(user_id=learner.user_id)
        return self.filter(visitor=learner.visitor)

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
            models.CheckConstraint(
                condition=Q(user__isnull=False, visitor__isnull=True)
                | Q(user__isnull=True, visitor__isnull=False),
                name="attempt_has_one_learner",
            ),
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


def new_seed() -> int:
    return secrets.randbits(62)


def _create_or_get(model, lookup: dict, defaults: dict):
    """Race-safe get_or_create: a savepoint, then the row another request committed first."""
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **defaults), True
    except IntegrityError:
        return model.objects.get(**lookup), False


def record_answer(*, learner, question: Question, choice: Choice, first_seed: int) -> tuple[Answer, bool]:
    """Store one learner's answer to one question: once, whatever the number of submissions.

    The attempt is the learner's latest for the quiz, created here at the first answer with the
    seed the page was shown with. A second submission returns the stored answer unchanged.
    Returns the answer and whether it was created by this call.
    """
    if choice.question_id != question.pk:
        raise ValueError("choice of another question")
    with transaction.atomic():
        attempt = (
            Attempt.objects.for_learner(learner).filter(quiz_id=question.quiz_id).order_by("-number").first()
        )
        if attempt is None:
            attempt, _ = _create_or_get(
                Attempt,
                {**learner.as_fields(), "quiz_id": question.quiz_id, "number": 1},
                {"seed": first_seed},
            )
        answer, created = _create_or_get(
            Answer,
            {"attempt": attempt, "question": question},
            {"choice": choice, "is_correct": choice.is_correct},
        )
        if created:
            answered = attempt.answers.count()
            if (
                answered >= Question.objects.filter(quiz_id=question.quiz_id).count()
                and not attempt.finished_at
            ):
                Attempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now())
        return answer, created


def start_new_attempt(*, learner, quiz: Quiz) -> Attempt:
    """ "Take it again": a new attempt after the learner's latest; earlier attempts are kept.

    Two racing clicks create one attempt: the second finds the number taken and returns it.
    """
    with transaction.atomic():
        latest = Attempt.objects.for_learner(learner).filter(quiz=quiz).order_by("-number").first()
        if latest is not None and not latest.answers.exists():
            return latest
        number = latest.number + 1 if latest else 1
        attempt, _ = _create_or_get(
            Attempt, {**learner.as_fields(), "quiz": quiz, "number": number}, {"seed": new_seed()}
        )
        return attempt
