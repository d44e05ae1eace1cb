"""Learning paths: each topic's ordered articles and quizzes (``PathStep``), with where one
learner stands on them. Home, article ends, quiz results and /progress/ offer the next step."""

from __future__ import annotations

from dataclasses import dataclass

from learn.core.learners import Learner
from learn.models import ArticleRead, PathStep, Topic
from quizzes.models import Attempt


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


def learning_paths(learner: Learner | None) -> list[Path]:
    """Every topic's published path with this learner's progress: three queries in all."""
    steps = list(
        PathStep.objects.published()
        .select_related("topic", "article", "quiz")
        .order_by("topic__position", "topic__name", "position", "pk")
    )
    read = (
        set(ArticleRead.objects.for_learner(learner).values_list("article_id", flat=True))
        if learner
        else set()
    )
    finished, started = set(), set()
    if learner:
        for quiz_id, finished_at in Attempt.objects.for_learner(learner).values_list(
            "quiz_id", "finished_at"
        ):
            (finished if finished_at else started).add(quiz_id)
    paths: dict[int, Path] = {}
    for step in steps:
        done = step.article_id in read if step.article_id else step.quiz_id in finished
        path = paths.setdefault(step.topic_id, Path(step.topic, []))
        path.steps.append(Step(step, done=done, started=not done and step.quiz_id in started))
    return list(paths.values())


def next_step(paths: list[Path]) -> Step | None:
    """The first step not done yet, in the first topic that has one."""
    return next((path.next for path in paths if path.next), None)
