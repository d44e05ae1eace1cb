"""The shipped content: which models live in which fixture file, in load order.

``load_content`` reads these files; ``export_content`` writes them back from the database.
Only content is listed, never learner data.
"""

from pathlib import Path

FIXTURES: dict[Path, list[str]] = {
    Path("glossary/fixtures/glossary.yaml"): [
        "glossary.category",
        "glossary.term",
        "glossary.alias",
        "glossary.source",
    ],
    Path("quizzes/fixtures/quizzes.yaml"): [
        "quizzes.objective",
        "quizzes.quiz",
        "quizzes.question",
        "quizzes.choice",
        "quizzes.questionversion",
    ],
    Path("learn/fixtures/learn.yaml"): ["learn.topic", "learn.article", "learn.source", "learn.pathstep"],
}


def content_models(apps) -> list:
    """The content models, from the fixture lists (learner data is never among them)."""
    return [apps.get_model(label) for labels in FIXTURES.values() for label in labels]
