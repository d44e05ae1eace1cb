"""Learning paths: each topic's ordered articles and quizzes (``PathStep``), with where one
learner stands on them. Home, article ends, quiz results and /progress/ offer the next step."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from learn.core.inprocess import Kept
from learn.core.learners import Learner
from learn.core.models import content_version
from learn.models import ArticleRead, PathStep, Topic
from quizzes.models import Quiz, attempt_marks, owner_column


@dataclass
class Step:
    step: PathStep
    done: bool = False  # read, or the quiz finished
    started: bool = False  # a quiz in progress

    @property
    def target(self):
        return self.step.target

    @property
    def kind(self) -> str:
        return self.step.kind


@dataclass
class Path:
    topic: Topic
    steps: list[Step]

    @property
    def next(self) -> Step | None:
        return next((s for s in self.steps if not s.done), None)

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)


STEPS = Kept(max_entries=8)  # content version -> every published step, in order


def published_steps() -> list[PathStep]:
    """Every topic's published steps, in order, with their topics, articles and quizzes: one
    query per content version, then kept in this process (read-only, shared by every request)."""
    version = content_version()
    found = STEPS.get(version) if version is not None else None
    if found is None:
        found = list(
            PathStep.objects.published()
            .select_related("topic", "article", "quiz")
            .order_by("topic__position", "topic__name", "position", "pk")
        )
        if version is not None:
            STEPS.set(version, found)
    return found


@dataclass
class Marks:
    """Where one learner stands: articles read, quizzes finished and started, and their newest
    attempt on a published quiz (what the home page offers to resume)."""

    read: set[int] = field(default_factory=set)
    finished: set[int] = field(default_factory=set)
    started: set[int] = field(default_factory=set)
    latest: Resume | None = None


@dataclass
class Resume:
    quiz: Quiz
    attempt_id: int
    finished: bool


def learner_marks(learner: Learner | None) -> Marks:
    """The learner's marks: two plain queries (none without a learner)."""
    marks = Marks()
    if not learner:
        return marks
    owner, value = owner_column(learner)
    table = connection.ops.quote_name(ArticleRead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT article_id FROM {table} WHERE {owner} = %s", [value])
        marks.read = {row[0] for row in cursor.fetchall()}
    for attempt_id, quiz_id, finished, slug, title in attempt_marks(learner):
        (marks.finished if finished else marks.started).add(quiz_id)
        if marks.latest is None:
            marks.latest = Resume(Quiz(pk=quiz_id, slug=slug, title=title), attempt_id, finished)
    return marks


def learning_paths(learner: Learner | None, marks: Marks | None = None) -> list[Path]:
    """Every topic's published path with this learner's progress (``marks``, from
    ``learner_marks``, which it reads itself if not given)."""
    marks = marks if marks is not None else learner_marks(learner)
    paths: dict[int, Path] = {}
    for step in published_steps():
        done = step.article_id in marks.read if step.article_id else step.quiz_id in marks.finished
        path = paths.setdefault(step.topic_id, Path(step.topic, []))
        path.steps.append(Step(step, done=done, started=not done and step.quiz_id in marks.started))
    return list(paths.values())


def next_step(paths: list[Path]) -> Step | None:
    """The first step not done yet, in the first topic that has one."""
    return next((path.next for path in paths if path.next), None)
