"""Check all content: questions (structure and wording), terms and articles (Markdown, links).

    python manage.py check_content [--strict]

Prints every problem; exits 1 when there are errors (or warnings, with --strict).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Prefetch, Q

from glossary.models import SECTIONS, Term
from learn.core.markdown import render
from learn.models import Article
from quizzes.checks import ERROR, Issue
from quizzes.models import Objective, Question


def markdown_issues(text: str, label: str) -> list[Issue]:
    rendered = render(text)
    issues = [Issue(ERROR, f"{label}: a chart block could not be drawn")] if rendered.chart_errors else []
    if text.strip() and not rendered.html.strip():
        issues.append(Issue(ERROR, f"{label}: renders to nothing"))
    return issues


MIN_QUESTIONS_PER_OBJECTIVE = 3


def objective_coverage() -> list[tuple[str, list[Issue]]]:
    """Every learning objective is tested by at least three published questions."""
    rows = []
    for objective in Objective.objects.annotate(
        n=Count("questions", filter=Q(questions__quiz__is_published=True))
    ).order_by("position", "key"):
        issues = []
        if objective.n < MIN_QUESTIONS_PER_OBJECTIVE:
            issues.append(
                Issue(
                    ERROR,
                    f"tested by {objective.n} question(s); needs at least {MIN_QUESTIONS_PER_OBJECTIVE}",
                )
            )
        rows.append((f"Objective “{objective.key}” ({objective.n} questions)", issues))
    return rows


class Command(BaseCommand):
    help = "Check every question, term and article; exit non-zero on errors."

    def add_arguments(self, parser):
        parser.add_argument("--strict", action="store_true", help="Treat warnings as errors too.")

    def handle(self, *args, strict: bool, **options):
        found: list[tuple[str, list[Issue]]] = []
        questions = Question.objects.select_related("quiz").prefetch_related("choices", "related_terms")
        for question in questions.order_by("quiz__position", "quiz_id", "position"):
            issues = (
                question.issues()
                + markdown_issues(question.prompt, "prompt")
                + markdown_issues(question.explanation, "explanation")
            )
            found.append((f"Quiz “{question.quiz}”, question {question.position}", issues))
        for term in Term.objects.prefetch_related(
            Prefetch("related", queryset=Term.objects.only("name", "is_published"))
        ):
            issues = [
                i for field, heading in SECTIONS for i in markdown_issues(getattr(term, field), heading)
            ]
            filled = [field for field, _ in SECTIONS if getattr(term, field).strip()]
            if not filled:
                issues.append(Issue(ERROR, "no section has any text"))
            issues += [
                Issue(ERROR, f"related term “{other.name}” is not published")
                for other in term.related.all()
                if term.is_published and not other.is_published
            ]
            found.append((f"Term “{term.name}”", issues))
        for article in Article.objects.prefetch_related("related_terms").select_related("quiz"):
            issues = markdown_issues(article.body, "body")
            issues += [
                Issue(ERROR, f"related term “{t.name}” is not published")
                for t in article.related_terms.all()
                if article.is_published and not t.is_published
            ]
            if article.is_published and article.quiz and not article.quiz.is_published:
                issues.append(Issue(ERROR, f"its quiz “{article.quiz}” is not published"))
            found.append((f"Article “{article.title}”", issues))

        found += objective_coverage()

        errors = warnings = 0
        for label, issues in found:
            for issue in issues:
                self.stdout.write(f"{label}: {issue}")
                errors += issue.level == ERROR
                warnings += issue.level != ERROR
        for label, issues in found:
            if label.startswith("Objective") and not issues:
                self.stdout.write(f"{label}: covered")
        self.stdout.write(f"Checked {len(found)} items: {errors} error(s), {warnings} warning(s).")
        if errors or (strict and warnings):
            raise CommandError("content check failed")
