from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from learn.core import ratelimit, rows
from learn.core.inprocess import Kept
from learn.core.learners import Learner, LearnerQuerySet, create_or_get, insert_row, one_learner
from learn.core.markdown import Rendered, render
from learn.core.search import plain_text
from quizzes import analysis, checks, numbers, schedule, scoring, versions


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
        """For authors: questions, attempts, finished attempts and the credit earned in finished
        attempts (partial credit as a fraction)."""

        def count(queryset, key: str = "quiz_id") -> Coalesce:
            grouped = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
            return Coalesce(Subquery(grouped), 0)

        def total(queryset, key: str) -> Coalesce:
            grouped = queryset.order_by().values(key).annotate(n=Sum("credit")).values("n")[:1]
            return Coalesce(Subquery(grouped), 0.0, output_field=models.FloatField())

        return self.annotate(
            question_count=count(Question.objects.filter(quiz=OuterRef("pk"))),
            attempt_count=count(Attempt.objects.filter(quiz=OuterRef("pk"))),
            finished_count=count(Attempt.objects.filter(quiz=OuterRef("pk"), finished_at__isnull=False)),
            finished_right=total(
                Answer.objects.filter(attempt__quiz=OuterRef("pk"), attempt__finished_at__isnull=False),
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

    def as_learner_url(self) -> str:
        """Where staff see this quiz as learners do: its page, or its draft preview until published."""
        return self.get_absolute_url() if self.is_published else reverse("quizzes:draft", args=[self.slug])

    def rendered_description(self) -> Rendered:
        return render(self.description)

    def next_in_path(self):
        """What comes after this quiz in its topic's learning path (an article or a quiz), or None.
        The path belongs to the articles app; quizzes reach it through its reverse relation."""
        step = self.path_steps.select_related("topic").first()
        return step.following() if step else None

    @property
    def completion_rate(self) -> int | None:
        """Share of attempts finished, in percent (needs ``with_stats()``)."""
        return round(100 * self.finished_count / self.attempt_count) if self.attempt_count else None

    @property
    def average_percent(self) -> int | None:
        """Average score of finished attempts, in percent (needs ``with_stats()``)."""
        possible = self.finished_count * self.question_count
        return round(100 * self.finished_right / possible) if possible else None


class Objective(models.Model):
    """A learning objective: what a learner can do after the questions that test it. Each
    objective needs at least three questions (``check_content`` says which fall short)."""

    key = models.SlugField(max_length=80, unique=True)
    text = models.CharField(max_length=300, help_text="What the learner can do, starting with a verb.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.text


class QuestionQuerySet(models.QuerySet):
    def published(self) -> QuestionQuerySet:
        return self.filter(quiz__is_published=True)

    def for_answering(self) -> QuestionQuerySet:
        return self.select_related("quiz").prefetch_related("choices", "related_terms")


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "One best answer"
        MULTIPLE = "multiple", "Select all that apply"
        NUMERIC = "numeric", "A number"

    class Tolerance(models.TextChoices):
        ABSOLUTE = "absolute", "Absolute (± this much)"
        RELATIVE = "relative", "Relative (± this fraction of the value)"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.SINGLE,
        help_text=(
            "One best answer: exactly one correct choice. Select all that apply: at least one correct "
            "and one wrong choice; each correct choice ticked earns an equal share of the correct ones, "
            "each wrong choice ticked costs an equal share of the wrong ones, floored at 0 (2 of 3 right "
            "and 1 of 2 wrong ticked: 2/3 - 1/2 = 17 %); full credit only for exactly the right set. "
            "A number: no choices; the accepted value and tolerance below."
        ),
    )
    prompt = models.TextField(help_text="Markdown; often a short scenario, then the question.")
    explanation = models.TextField(
        help_text="Markdown, shown after answering: why the right answer is right."
    )
    accepted_value = models.FloatField(null=True, blank=True, help_text="A number question's answer.")
    tolerance = models.FloatField(
        default=0, help_text="How far an answer may be from the accepted value and still count (0: exactly)."
    )
    tolerance_kind = models.CharField(max_length=10, choices=Tolerance.choices, default=Tolerance.ABSOLUTE)
    unit = models.CharField(
        max_length=30,
        blank=True,
        help_text="Shown beside the field, e.g. “parameters” or “%” (then 50% is read as 50).",
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="The current version: answers keep the version they answered."
    )
    related_terms = models.ManyToManyField(
        "glossary.Term", blank=True, related_name="questions", help_text="Shown as “Review: term” links."
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        help_text="The learning objective this question tests.",
    )
    level = models.CharField(
        max_length=15,
        blank=True,
        choices=[
            ("recall", "Recall"),
            ("comprehension", "Comprehension"),
            ("application", "Application"),
            ("analysis", "Analysis"),
        ],
        help_text="What the question asks of the learner (for balancing a quiz).",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="question_unique_position"),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="question_tolerance_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="numeric") | Q(accepted_value__isnull=False),
                name="question_numeric_has_a_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · question {self.position}"

    def prompt_start(self, words: int = 12) -> str:
        """The prompt's first words as plain text (no Markdown), for lists and exports."""
        return Truncator(plain_text(self.prompt)).words(words)

    def correct_choice(self) -> Choice | None:
        return next((c for c in self.choices.all() if c.is_correct), None)

    @property
    def is_numeric(self) -> bool:
        return self.kind == self.Kind.NUMERIC

    @property
    def is_multiple(self) -> bool:
        return self.kind == self.Kind.MULTIPLE

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() in {"%", "percent"}

    def grade(self, response: Response) -> float:
        """The credit, 0 to 1, that a response earns (the rules are in the kind's help text)."""
        if self.is_numeric:
            return 1.0 if response.value is not None and self.accepts(response.value) else 0.0
        if self.is_multiple:
            choices = list(self.choices.all())
            return scoring.select_all_credit(
                {c.pk for c in response.choices},
                {c.pk for c in choices if c.is_correct},
                {c.pk for c in choices if not c.is_correct},
            )
        return 1.0 if response.choice is not None and response.choice.is_correct else 0.0

    def accepts(self, value: float) -> bool:
        return numbers.close_enough(
            value,
            self.accepted_value,
            self.tolerance,
            relative=self.tolerance_kind == self.Tolerance.RELATIVE,
        )

    @property
    def accepted_text(self) -> str:
        """The accepted answer as the learner reads it after answering: "131,072 (± 2 %)"."""
        value = f"{self.accepted_value:,.10g}" if self.accepted_value is not None else ""
        unit = f" {self.unit}" if self.unit and not self.is_percent else self.unit
        if not self.tolerance:
            return f"{value}{unit}"
        spread = (
            f"{100 * self.tolerance:g} %"
            if self.tolerance_kind == self.Tolerance.RELATIVE
            else f"{self.tolerance:g}"
        )
        return f"{value}{unit} (± {spread})"

    def snapshot(self) -> dict:
        """What the learner is shown and graded against, as plain data: a version's content."""
        return {
            "kind": self.kind,
            "prompt": self.prompt,
            "explanation": self.explanation,
            "choices": [
                {"id": c.pk, "text": c.text, "correct": c.is_correct, "rationale": c.rationale}
                for c in sorted(self.choices.all(), key=lambda c: (c.position, c.pk))
            ],
            "accepted_value": self.accepted_value,
            "tolerance": self.tolerance,
            "tolerance_kind": self.tolerance_kind,
            "unit": self.unit,
        }

    def current_version(self) -> QuestionVersion:
        """The version answers go to now, made at the first answer if authors never saved one."""
        found = QuestionVersion.objects.filter(question=self, number=self.version).first()
        if found is None:
            found, _ = create_or_get(
                QuestionVersion, {"question": self, "number": self.version}, {"snapshot": self.snapshot()}
            )
        return found

    def record_edit(self, *, same_version: bool = False) -> QuestionVersion | None:
        """After an author saved the question and its choices: a change to what learners answer
        (prompt, kind, choices, which are correct, the accepted value or tolerance) starts a new
        version, so stored answers keep their meaning; other edits (explanation, rationales), and
        any edit saved as ``same_version``, update the current version in place. Returns the
        version made, or None when nothing was answered yet (no version to keep)."""
        latest = self.versions.order_by("-number").first()
        if latest is None:
            return None
        now = self.snapshot()
        if same_version or not versions.changes_meaning(latest.snapshot, now):
            QuestionVersion.objects.filter(pk=latest.pk).update(snapshot=now)
            return None
        made = QuestionVersion.objects.create(
            question=self,
            number=latest.number + 1,
            snapshot=now,
            note=versions.describe(latest.snapshot, now),
        )
        Question.objects.filter(pk=self.pk).update(version=made.number)
        self.version = made.number
        return made

    def choice_for_token(self, token: str) -> Choice | None:
        return next((c for c in self.choices.all() if c.token == token), None)

    def issues(self) -> list[checks.Issue]:
        """Errors and warnings about this question's structure and wording (see quizzes/checks.py)."""
        return checks.check_question(
            prompt=self.prompt,
            explanation=self.explanation,
            choices=[checks.ChoiceData(c.text, c.is_correct, c.rationale) for c in self.choices.all()],
            missing_terms=[t.name for t in self.related_terms.all() if not t.is_published],
            kind=self.kind,
            accepted_value=self.accepted_value,
            tolerance=self.tolerance,
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

    def __str__(self) -> str:
        return self.text

    @cached_property
    def token(self) -> str:
        return scoring.opaque_token(settings.SECRET_KEY.encode(), self.pk)


class AttemptQuerySet(LearnerQuerySet):
    def with_correct_count(self) -> AttemptQuerySet:
        """``correct_count``: the sum of the answers' credit (partial credit counts as a fraction)."""
        return self.annotate(
            correct_count=Coalesce(Sum("answers__credit"), 0.0, output_field=models.FloatField()),
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


@dataclass(frozen=True)
class Response:
    """What a learner sent for one question, checked against its choices (see quizzes/forms.py)."""

    choices: tuple[Choice, ...] = ()  # one for a one-best-answer question, any for select all
    value: float | None = None  # a number question's answer
    typed: str = ""  # that number as typed

    @property
    def choice(self) -> Choice | None:
        return self.choices[0] if len(self.choices) == 1 else None


class QuestionVersionManager(models.Manager):
    def get_by_natural_key(self, question_id: int, number: int) -> QuestionVersion:
        return self.get(question_id=question_id, number=number)


class QuestionVersion(models.Model):
    """A question as learners answered it: its prompt, choices and key at one time. Answers
    point here, so editing the question never rewrites what an old answer meant."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField(help_text="Kind, prompt, explanation, choices and key, as shown.")
    note = models.CharField(max_length=300, blank=True, help_text="What changed from the version before.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = QuestionVersionManager()

    class Meta:
        ordering = ["question", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.question} · version {self.number}"

    def natural_key(self) -> tuple[int, int]:
        """Fixtures name a version by its question and number, never by a key that a database
        which made versions of its own may already use."""
        return (self.question_id, self.number)


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    version = models.ForeignKey(
        QuestionVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        help_text="The choice picked (one-best-answer questions).",
    )
    choices = models.JSONField(
        default=list, blank=True, help_text="The choice ids ticked (select all that apply)."
    )
    value = models.FloatField(null=True, blank=True, help_text="The number given (number questions).")
    typed = models.CharField(max_length=40, blank=True, help_text="The number as the learner typed it.")
    credit = models.FloatField(default=0, help_text="1 right, 0 wrong, a fraction for partly right.")
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempt", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_one_per_question"),
            models.CheckConstraint(condition=Q(credit__gte=0, credit__lte=1), name="answer_credit_0_to_1"),
            models.CheckConstraint(
                condition=Q(is_correct=False) | Q(credit=1), name="answer_correct_means_full_credit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} · {self.question.position}: {'right' if self.is_correct else 'wrong'}"


class CardQuerySet(LearnerQuerySet):
    def published(self) -> CardQuerySet:
        return self.filter(question__quiz__is_published=True)

    def due_before(self, moment: dt.datetime) -> CardQuerySet:
        """Due before ``moment``: pass the end of the learner's today for "due today"."""
        return self.published().filter(due_at__lt=moment)


def due_count(learner: Learner | None, moment: dt.datetime) -> int:
    """``Card.objects.for_learner(learner).due_before(moment).count()`` as one hand-written
    query: it is the header's "N to review" on every page a learner sees, and building the ORM
    query cost three times what SQLite takes to run it (tests/quizzes pin that both agree)."""
    if learner is None:
        return 0
    fields = Card._meta
    owner = "user_id" if learner.user_id else "visitor"
    value = (
        learner.user_id
        if learner.user_id
        else fields.get_field("visitor").get_db_prep_value(learner.visitor, connection)
    )
    q = connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*) FROM {q(fields.db_table)} c "
        f"JOIN {q(Question._meta.db_table)} q ON q.id = c.question_id "
        f"JOIN {q(Quiz._meta.db_table)} z ON z.id = q.quiz_id "
        f"WHERE c.{owner} = %s AND z.is_published = %s AND c.due_at < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value, True, fields.get_field("due_at").get_db_prep_value(moment, connection)])
        return cursor.fetchone()[0]


class Card(models.Model):
    """One question as one learner remembers it: FSRS's state after their last answer
    (quizzes/schedule.py). Every answered question has one; its reviews are the history."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="cards")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="cards"
    )
    visitor = models.UUIDField(null=True, blank=True, db_index=True)
    state = models.PositiveSmallIntegerField(
        default=2, help_text="FSRS state: 1 learning, 2 review, 3 relearning."
    )
    stability = models.FloatField(help_text="Days until recall falls to 90 %.")
    difficulty = models.FloatField(help_text="FSRS difficulty, 1 (easy) to 10 (hard).")
    due_at = models.DateTimeField(help_text="When the next review is due (UTC).")
    last_review_at = models.DateTimeField()
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    last_correct = models.BooleanField(default=False)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["user", "due_at"]), models.Index(fields=["visitor", "due_at"])]
        constraints = [
            one_learner("card_has_one_learner"),
            models.UniqueConstraint(
                fields=["user", "question"], condition=Q(user__isnull=False), name="card_unique_user_question"
            ),
            models.UniqueConstraint(
                fields=["visitor", "question"],
                condition=Q(visitor__isnull=False),
                name="card_unique_visitor_question",
            ),
            models.CheckConstraint(condition=Q(stability__gt=0), name="card_stability_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.question} · due {self.due_at:%Y-%m-%d}"

    @property
    def memory(self) -> schedule.Memory:
        return schedule.Memory(
            state=self.state,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due_at,
            last_review=self.last_review_at,
            reps=self.reps,
            lapses=self.lapses,
        )

    def remember(self, memory: schedule.Memory) -> None:
        self.state, self.stability, self.difficulty = memory.state, memory.stability, memory.difficulty
        self.due_at, self.last_review_at = memory.due, memory.last_review
        self.reps, self.lapses = memory.reps, memory.lapses


class Review(models.Model):
    """One answer to a card's question, wherever it was given: the review log. A card's state is
    what replaying its reviews gives (``schedule.replay``)."""

    class Source(models.TextChoices):
        QUIZ = "quiz", "Quiz"
        REVIEW = "review", "Review"
        PRACTICE = "practice", "Practice"

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    source = models.CharField(max_length=10, choices=Source.choices)
    answer = models.OneToOneField(
        "Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review",
        help_text="The quiz answer this review is (quiz reviews only).",
    )
    choice = models.ForeignKey(Choice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    correct = models.BooleanField()
    rating = models.PositiveSmallIntegerField(help_text="FSRS rating: 1 again, 3 good.")
    answered_at = models.DateTimeField(default=timezone.now, db_index=True)
    due_after = models.DateTimeField(help_text="The next review this answer scheduled.")

    class Meta:
        ordering = ["answered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.card.question} ({self.get_source_display()}): {'right' if self.correct else 'wrong'}"


def new_seed() -> int:
    return secrets.randbits(62)


def first_attempt_seed(learner: Learner | None, quiz_pk: int) -> int:
    """The choice order before a first attempt exists: stable on reload, different per learner."""
    return scoring.seed_for(settings.SECRET_KEY.encode(), learner.who if learner else "-", quiz_pk)


TOO_FAST = "You are answering very fast. Wait a minute, then try again: nothing was lost."


def answers_in_last_minute(learner: Learner) -> int:
    """How many answers the learner stored in the last minute (the answer rate limit): one
    hand-written count, as it runs on every answer."""
    since = timezone.now() - dt.timedelta(minutes=1)
    q = connection.ops.quote_name
    owner, value = owner_column(learner)
    sql = (
        f"SELECT COUNT(*) FROM {q(Answer._meta.db_table)} a "
        f"JOIN {q(Attempt._meta.db_table)} t ON t.id = a.attempt_id "
        f"WHERE t.{owner} = %s AND a.answered_at >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [value, Answer._meta.get_field("answered_at").get_db_prep_value(since, connection)]
        )
        return cursor.fetchone()[0]


def owner_column(learner: Learner) -> tuple[str, object]:
    """The owner column of a learner's rows and its value as the database takes it."""
    if learner.user_id:
        return "user_id", learner.user_id
    return "visitor", Card._meta.get_field("visitor").get_db_prep_value(learner.visitor, connection)


def attempt_marks(learner: Learner) -> list[tuple[int, int, bool, str, str]]:
    """The learner's attempts on published quizzes, newest first, as (attempt id, quiz id,
    finished, quiz slug, quiz title): one hand-written query, as the home page and /progress/
    read it on every learner's request."""
    q = connection.ops.quote_name
    owner, value = owner_column(learner)
    sql = (
        f"SELECT t.id, t.quiz_id, t.finished_at IS NOT NULL, z.slug, z.title "
        f"FROM {q(Attempt._meta.db_table)} t JOIN {q(Quiz._meta.db_table)} z ON z.id = t.quiz_id "
        f"WHERE t.{owner} = %s AND z.is_published ORDER BY t.started_at DESC, t.id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return [(pk, quiz, bool(done), slug, title) for pk, quiz, done, slug, title in cursor.fetchall()]


def next_unanswered(attempt_id: int, quiz_id: int) -> int | None:
    """Where to continue an attempt: the first position of its quiz it has not answered (None
    once all are), in one plain query."""
    q = connection.ops.quote_name
    sql = (
        f"SELECT MIN(x.position) FROM {q(Question._meta.db_table)} x WHERE x.quiz_id = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {q(Answer._meta.db_table)} a WHERE a.attempt_id = %s AND a.question_id = x.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [quiz_id, attempt_id])
        return cursor.fetchone()[0]


VERSION_IDS = Kept(max_entries=20000)  # (question, version number) -> QuestionVersion id


def current_version_id(question: Question) -> int:
    """The id of the version answers to ``question`` go to now. A version, once made, keeps its
    id (versions are never deleted while their question lives, and ids are never reused), and
    an edit that starts a new version gives the question a new number: so it is looked up (or
    made) once per process."""
    key = (question.pk, question.version)
    found = VERSION_IDS.get(key)
    if found is None:
        found = question.current_version().pk
        VERSION_IDS.set(key, found)
    return found


def record_answer(
    *, learner, question: Question, response: Response, first_seed: int, out_of: int | None = None
) -> tuple[Answer, bool]:
    """Store one learner's answer to one question: once, whatever the number of submissions.

    The attempt is the learner's latest for the quiz, created here at the first answer with the
    seed the page was shown with. A second submission returns the stored answer unchanged.
    ``out_of`` is the quiz's number of questions when the caller has it (counted otherwise).
    Returns the answer (its ``attempt`` is the learner's attempt, up to date) and whether it was
    created by this call. Raises ``ratelimit.Limited`` (storing nothing) for a learner answering
    faster than ``ANSWERS_PER_MINUTE``.

    Everything that needs no lock is done before the transaction (the limit, the grade, the
    version); inside it, a few statements: lock the attempt, insert the answer unless one is
    there (``INSERT ... ON CONFLICT DO NOTHING``, the unique constraint decides), finish the
    attempt when this was its last answer, and move the card along.
    """
    if any(c.question_id != question.pk for c in response.choices):
        raise ValueError("choice of another question")
    if answers_in_last_minute(learner) >= settings.ANSWERS_PER_MINUTE:
        raise ratelimit.Limited(TOO_FAST)
    credit = question.grade(response)
    if out_of is None:
        out_of = Question.objects.filter(quiz_id=question.quiz_id).count()
    values = {
        "version_id": current_version_id(question),
        "choice_id": response.choice.pk if response.choice and not question.is_multiple else None,
        "choices": [c.pk for c in response.choices] if question.is_multiple else [],
        "value": response.value,
        "typed": response.typed,
        "credit": credit,
        "is_correct": credit == 1,
    }
    with transaction.atomic():
        # Lock the attempt: two last answers arriving together must not both count N-1 answers
        # (PostgreSQL's READ COMMITTED) and leave a complete attempt unfinished.
        attempt = locked(Attempt, learner, "quiz_id", question.quiz_id, order="number DESC")
        if attempt is None:
            attempt, _ = create_or_get(
                Attempt,
                {**learner.as_fields(), "quiz_id": question.quiz_id, "number": 1},
                {"seed": first_seed},
            )
            attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        now = timezone.now()
        row = {"attempt_id": attempt.pk, "question_id": question.pk, **values, "answered_at": now}
        pk = insert_row(Answer, row, skip_conflict=True)
        if pk is None:  # answered before (a double click, a retried request): the stored answer
            return Answer.objects.select_related("choice").get(attempt=attempt, question=question), False
        answer = Answer(pk=pk, **row)
        answer.attempt = attempt
        if not attempt.finished_at and finish_if_complete(attempt, out_of, now):
            attempt.finished_at = now
        remember(
            learner=learner,
            question=question,
            correct=answer.is_correct,
            choice=response.choice,
            source=Review.Source.QUIZ,
            answer=answer,
        )
        return answer, True


def locked(model, learner: Learner, column: str, value, *, order: str = ""):
    """The learner's row of ``model`` with ``column = value`` (the first by ``order``), locked
    for this transaction (``SELECT ... FOR UPDATE`` where the database has it; SQLite's
    transaction already holds the write lock), or None: one hand-written query, as the answer's
    transaction takes two."""
    q = connection.ops.quote_name
    owner, owner_value = owner_column(learner)
    sql = (
        f"SELECT {rows.columns(model, 'r')} FROM {q(model._meta.db_table)} r "
        f"WHERE r.{owner} = %s AND r.{q(column)} = %s"
        + (f" ORDER BY r.{order}" if order else "")
        + " LIMIT 1"
        + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [owner_value, value])
        row = cursor.fetchone()
    return rows.instance(model, row) if row else None


def finish_if_complete(attempt: Attempt, out_of: int, now: dt.datetime) -> bool:
    """One UPDATE: the attempt is finished now if it holds ``out_of`` answers (counted from the
    stored rows, under the attempt's lock). Whether it was."""
    q = connection.ops.quote_name
    sql = (
        f"UPDATE {q(Attempt._meta.db_table)} SET finished_at = %s WHERE id = %s AND finished_at IS NULL "
        f"AND (SELECT COUNT(*) FROM {q(Answer._meta.db_table)} WHERE attempt_id = %s) >= %s"
    )
    stamp = Attempt._meta.get_field("finished_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, attempt.pk, attempt.pk, out_of])
        return cursor.rowcount == 1


def retention() -> float:
    return settings.DESIRED_RETENTION


def remember(
    *,
    learner: Learner,
    question: Question,
    correct: bool,
    choice: Choice | None,
    source: str,
    answer: Answer | None = None,
) -> Card:
    """One more answer to ``question`` for the memory model: the learner's card for it is
    created or moved along by FSRS, and the answer joins its history. Inside the caller's
    transaction; the card row is locked, so two answers never schedule from the same state."""
    card = locked(Card, learner, "question_id", question.pk)
    # Never before the last review (clocks of two instances may differ by a little).
    now = max(timezone.now(), card.last_review_at) if card else timezone.now()
    memory = schedule.review(card.memory if card else None, correct, now, retention=retention())
    if card is None:
        row = {
            **learner.as_fields(),
            "question_id": question.pk,
            "state": memory.state,
            "stability": memory.stability,
            "difficulty": memory.difficulty,
            "due_at": memory.due,
            "last_review_at": memory.last_review,
            "reps": memory.reps,
            "lapses": memory.lapses,
            "last_correct": correct,
        }
        pk = insert_row(Card, row, skip_conflict=True)
        if pk is not None:
            card = Card(pk=pk, **row)
        else:  # another request made it first: review from its state
            card = Card.objects.for_learner(learner).select_for_update().get(question=question)
            now = max(now, card.last_review_at)
            memory = schedule.review(card.memory, correct, now, retention=retention())
    if card.reps != memory.reps or card.last_review_at != memory.last_review:
        card.remember(memory)
        card.last_correct = correct
        card.save()
    insert_row(
        Review,
        {
            "card_id": card.pk,
            "source": source,
            "answer_id": answer.pk if answer else None,
            "choice_id": choice.pk if choice else None,
            "correct": correct,
            "rating": schedule.rating(correct),
            "answered_at": memory.last_review,
            "due_after": memory.due,
        },
    )
    return card


def remember_response(learner: Learner, question: Question, response: Response, source: str) -> Card:
    """A review or practice answer for the memory model: full credit is right, anything less a miss."""
    correct = question.grade(response) == 1
    return remember(
        learner=learner, question=question, correct=correct, choice=response.choice, source=source
    )


def end_of_today() -> dt.datetime:
    """The end of the learner's local day (the active time zone), as an aware datetime."""
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))


EARLY_REVIEW_DAYS = 3  # "Review this term" also offers a term's questions due within this many days


def record_review(
    *, learner: Learner, question: Question, response: Response, early: bool = False
) -> tuple[Card | None, bool]:
    """Answer a due question on the review page (``early``: or one due within a few days, when
    the learner reviews one term). Not due (already answered, or never answered): nothing
    changes. Returns the card as it stands and whether this call recorded an answer."""
    if any(c.question_id != question.pk for c in response.choices):
        raise ValueError("choice of another question")
    until = end_of_today() + dt.timedelta(days=EARLY_REVIEW_DAYS if early else 0)
    with transaction.atomic():
        card = Card.objects.for_learner(learner).select_for_update().filter(question=question).first()
        if card is None or card.due_at >= until:
            return card, False
        return remember_response(learner, question, response, Review.Source.REVIEW), True


def practice_state(learner: Learner | None, quiz: Quiz) -> tuple[Attempt | None, list[int], int]:
    """The questions to practise after ``quiz``: those the learner missed in their latest finished
    attempt and has not yet answered right in practice since. Returns the attempt, their ids in
    quiz order, and how many the attempt missed in all: three queries."""
    attempt = (
        Attempt.objects.for_learner(learner)
        .filter(quiz=quiz, finished_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if attempt is None:
        return None, [], 0
    missed = list(
        attempt.answers.filter(is_correct=False)
        .order_by("question__position")
        .values_list("question_id", flat=True)
    )
    fixed = set(
        Review.objects.filter(
            card__in=Card.objects.for_learner(learner).filter(question_id__in=missed),
            source=Review.Source.PRACTICE,
            correct=True,
            answered_at__gte=attempt.finished_at,
        ).values_list("card__question_id", flat=True)
    )
    return attempt, [pk for pk in missed if pk not in fixed], len(missed)


def record_practice(
    *, learner: Learner, question: Question, response: Response
) -> tuple[Card | None, bool, tuple[Attempt | None, list[int], int]]:
    """Practise a missed question right after the quiz. It does not touch the attempt's score;
    it counts for the memory model as a same-day review. A question that is not (or no longer)
    in the learner's practice set changes nothing. Returns the card, whether it recorded, and
    the practice state after it (``practice_state``)."""
    if any(c.question_id != question.pk for c in response.choices):
        raise ValueError("choice of another question")
    with transaction.atomic():
        card = Card.objects.for_learner(learner).select_for_update().filter(question=question).first()
        attempt, pending, missed = practice_state(learner, question.quiz)
        if card is None or question.pk not in pending:
            return card, False, (attempt, pending, missed)
        card = remember_response(learner, question, response, Review.Source.PRACTICE)
        left = [pk for pk in pending if pk != question.pk or not card.last_correct]
        return card, True, (attempt, left, missed)


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
    quiz (both are kept). A question both sides remember gets one card, replayed from the
    history of both. Returns the number of attempts moved.
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
        mine = {card.question_id: card for card in Card.objects.filter(user=user)}
        for card in Card.objects.filter(visitor=visitor):
            kept = mine.get(card.question_id)
            if kept is None:
                Card.objects.filter(pk=card.pk).update(user=user, visitor=None)
                continue
            # Both remember this question: one history, replayed in time order.
            Review.objects.filter(card=card).update(card=kept)
            card.delete()
            history = list(kept.reviews.order_by("answered_at", "pk"))
            memory = schedule.replay(((r.answered_at, r.correct) for r in history), retention=retention())
            kept.remember(memory)
            kept.last_correct = history[-1].correct
            kept.save()
        return moved


def item_analysis(quiz: Quiz) -> dict[int, analysis.ItemStats]:
    """Statistics per question of ``quiz``, from each learner's first finished attempt, for each
    question's current version only: answers to an older version answered another question."""
    return item_analyses([quiz.pk])


def item_analyses(quiz_ids: Iterable[int]) -> dict[int, analysis.ItemStats]:
    """``item_analysis`` for several quizzes at once, in four queries whatever their number (the
    question list shows a page of questions from many quizzes). Each quiz is analysed on its own:
    discrimination compares a question with the rest of its quiz."""
    quiz_ids = sorted(set(quiz_ids))
    if not quiz_ids:
        return {}
    firsts: dict[tuple, int] = {}
    for attempt_id, quiz_id, user_id, visitor in (
        Attempt.objects.filter(quiz_id__in=quiz_ids, finished_at__isnull=False)
        .order_by("number", "pk")
        .values_list("pk", "quiz_id", "user_id", "visitor")
    ):
        firsts.setdefault((quiz_id, user_id, visitor), attempt_id)
    current: dict[int, tuple[int, int]] = {}  # question id -> (its quiz, its version now)
    questions: dict[int, dict[int, list[int]]] = {quiz_id: {} for quiz_id in quiz_ids}
    for question_id, quiz_id, version in (
        Question.objects.filter(quiz_id__in=quiz_ids)
        .order_by("position")
        .values_list("pk", "quiz_id", "version")
    ):
        current[question_id] = (quiz_id, version)
        questions[quiz_id][question_id] = []
    responses: dict[int, dict[int, dict[int, tuple]]] = {quiz_id: {} for quiz_id in quiz_ids}
    for (quiz_id, _, _), attempt_id in firsts.items():
        responses[quiz_id][attempt_id] = {}
    first_ids = set(firsts.values())
    # Filtered by a join rather than by a list of attempt ids, which grows with the learners past
    # what a query may carry; answers of later attempts are read and skipped.
    for attempt_id, quiz_id, question_id, choice_id, ticked, credit, number in Answer.objects.filter(
        attempt__quiz_id__in=quiz_ids, attempt__finished_at__isnull=False
    ).values_list(
        "attempt_id", "attempt__quiz_id", "question_id", "choice_id", "choices", "credit", "version__number"
    ):
        if attempt_id not in first_ids or current.get(question_id) != (quiz_id, number or 1):
            continue
        responses[quiz_id][attempt_id][question_id] = (tuple(ticked) if ticked else choice_id, credit)
    for question_id, quiz_id, choice_id in Choice.objects.filter(question__quiz_id__in=quiz_ids).values_list(
        "question_id", "question__quiz_id", "pk"
    ):
        questions[quiz_id][question_id].append(choice_id)
    stats: dict[int, analysis.ItemStats] = {}
    for quiz_id in quiz_ids:
        stats |= analysis.analyse(list(responses[quiz_id].values()), questions[quiz_id])
    return stats


# ---- A learner's own data: what the account page downloads and deletes ----------------------
# One function each, so that what this app keeps stays its own business: the account code calls
# them and never reads these tables itself. Extend them with every new table of learner data.


def learner_data(learner: Learner) -> dict:
    """Everything this app keeps about one learner, as plain data (README, "Your data")."""
    answers = Answer.objects.select_related("question", "choice", "version").prefetch_related(
        "question__choices"
    )
    attempts = (
        Attempt.objects.for_learner(learner)
        .select_related("quiz")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("started_at", "pk")
    )
    history = Review.objects.select_related("choice").order_by("answered_at", "pk")
    cards = (
        Card.objects.for_learner(learner)
        .select_related("question__quiz")
        .prefetch_related(Prefetch("reviews", queryset=history))
        .order_by("pk")
    )

    def question(q: Question) -> dict:
        return {"quiz": q.quiz.title if q.quiz_id else None, "position": q.position, "prompt": q.prompt}

    def chosen(answer: Answer):
        if answer.question.is_numeric:
            return answer.typed or answer.value
        if answer.question.is_multiple:
            texts = {c.pk: c.text for c in answer.question.choices.all()}
            return [texts.get(pk, f"(a choice since removed, #{pk})") for pk in answer.choices]
        return answer.choice.text if answer.choice else None

    return {
        "attempts": [
            {
                "quiz": attempt.quiz.title,
                "quiz_slug": attempt.quiz.slug,
                "number": attempt.number,
                "started_at": attempt.started_at.isoformat(),
                "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
                "answers": [
                    {
                        "question": answer.question.prompt,
                        "position": answer.question.position,
                        "version": answer.version.number if answer.version else None,
                        "choices": [c.text for c in answer.question.choices.all()],
                        "chosen": chosen(answer),
                        "credit": answer.credit,
                        "correct": answer.is_correct,
                        "answered_at": answer.answered_at.isoformat(),
                    }
                    for answer in attempt.answers.all()
                ],
            }
            for attempt in attempts
        ],
        "review": [
            {
                "question": question(card.question),
                "stability_days": card.stability,
                "difficulty": card.difficulty,
                "due_at": card.due_at.isoformat(),
                "last_review_at": card.last_review_at.isoformat(),
                "reviews": card.reps,
                "lapses": card.lapses,
                "history": [
                    {
                        "source": r.source,
                        "chosen": r.choice.text if r.choice else None,
                        "correct": r.correct,
                        "answered_at": r.answered_at.isoformat(),
                        "next_due": r.due_after.isoformat(),
                    }
                    for r in card.reviews.all()
                ],
            }
            for card in cards
        ],
    }


def delete_learner_data(learner: Learner) -> int:
    """Delete every row of this app that belongs to the learner; returns how many rows went."""
    with transaction.atomic():
        cards = Card.objects.for_learner(learner)
        deleted = Review.objects.filter(card__in=cards).delete()[0] + cards.delete()[0]
        attempts = Attempt.objects.for_learner(learner)
        deleted += Answer.objects.filter(attempt__in=attempts).delete()[0]
        return deleted + attempts.delete()[0]


def idle_visitors(before: dt.datetime) -> set[uuid.UUID]:
    """Anonymous visitors with rows here and none written since ``before`` (for the cleanup)."""
    seen = set(Attempt.objects.filter(visitor__isnull=False).values_list("visitor", flat=True))
    seen |= set(Card.objects.filter(visitor__isnull=False).values_list("visitor", flat=True))
    recent = set(
        Attempt.objects.filter(visitor__isnull=False, started_at__gte=before).values_list(
            "visitor", flat=True
        )
    )
    recent |= set(
        Answer.objects.filter(attempt__visitor__isnull=False, answered_at__gte=before).values_list(
            "attempt__visitor", flat=True
        )
    )
    recent |= set(
        Card.objects.filter(visitor__isnull=False, last_review_at__gte=before).values_list(
            "visitor", flat=True
        )
    )
    return seen - recent
