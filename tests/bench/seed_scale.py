"""Fill an empty database with generated content at scale, for the benchmark.

    DJANGO_SQLITE_PATH=.bench/recall.sqlite3 python -m tests.bench.run seed_scale \
        [--terms 10000] [--articles 500] [--quizzes 1000] [--questions 10] [--learners 200]

Bulk inserts in one transaction. Refuses a database that already has content.
"""

import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from glossary.models import Alias, Category, Term
from glossary.models import Source as TermSource
from learn import search
from learn.core.models import bump_content_version
from learn.models import Article, Topic
from learn.models import Source as ArticleSource
from quizzes.models import Answer, Attempt, Choice, Question, Quiz

WORDS = [
    "model",
    "training",
    "data",
    "weights",
    "gradient",
    "update",
    "task",
    "learning",
    "network",
    "layer",
    "loss",
    "tuning",
    "evaluation",
    "benchmark",
    "knowledge",
    "general",
    "domain",
    "adapter",
    "rank",
    "matrix",
    "frozen",
    "base",
    "replay",
    "rehearsal",
    "stability",
    "plasticity",
    "transfer",
    "prompt",
    "context",
    "token",
    "embedding",
    "attention",
    "head",
    "optimizer",
    "schedule",
    "warmup",
    "decay",
    "batch",
    "epoch",
    "checkpoint",
]
BATCH = 2000


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def sentence(rng: random.Random, n: int = 14) -> str:
    return words(rng, n).capitalize() + "."


class Command(BaseCommand):
    help = "Fill an empty database with generated content at scale (for `make bench`)."

    def add_arguments(self, parser):
        parser.add_argument("--terms", type=int, default=10_000)
        parser.add_argument("--articles", type=int, default=500)
        parser.add_argument("--quizzes", type=int, default=1000)
        parser.add_argument("--questions", type=int, default=10)
        parser.add_argument("--learners", type=int, default=200)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, terms, articles, quizzes, questions, learners, seed, **options):
        if Term.objects.exists() or Quiz.objects.exists():
            raise CommandError(
                "This database already has content: point DJANGO_SQLITE_PATH or DATABASE_URL elsewhere."
            )
        rng = random.Random(seed)
        now = timezone.now()
        started = time.perf_counter()
        with transaction.atomic():
            categories = Category.objects.bulk_create(
                [Category(name=f"Category {i}", slug=f"category-{i}", position=i) for i in range(8)]
            )
            term_rows = []
            for i in range(terms):
                name = f"{words(rng, rng.randint(1, 2)).title()} {i}"
                term_rows.append(
                    Term(
                        name=name,
                        slug=f"term-{i}",
                        short_definition=sentence(rng),
                        definition="\n\n".join(sentence(rng, 30) for _ in range(2)),
                        why_it_matters=sentence(rng, 40),
                        how_it_works=sentence(rng, 50),
                        example=sentence(rng, 30),
                        common_mistakes="- " + sentence(rng) + "\n- " + sentence(rng),
                        created_at=now,
                        updated_at=now,
                    )
                )
            term_objs = Term.objects.bulk_create(term_rows, batch_size=BATCH)
            Term.categories.through.objects.bulk_create(
                [
                    Term.categories.through(term_id=t.pk, category_id=rng.choice(categories).pk)
                    for t in term_objs
                ],
                batch_size=BATCH,
            )
            related = set()
            for t in term_objs:
                for other in rng.sample(term_objs, 3):
                    if other.pk != t.pk:
                        related.add((t.pk, other.pk))
                        related.add((other.pk, t.pk))
            Term.related.through.objects.bulk_create(
                [Term.related.through(from_term_id=a, to_term_id=b) for a, b in related], batch_size=BATCH
            )
            Alias.objects.bulk_create(
                [Alias(term=t, name=f"Alias {t.pk}", slug=f"alias-{t.pk}") for t in term_objs[::3]],
                batch_size=BATCH,
            )
            TermSource.objects.bulk_create(
                [
                    TermSource(
                        term=t, position=0, title=f"Source for {t.name}", url=f"https://example.org/{t.pk}"
                    )
                    for t in term_objs
                ],
                batch_size=BATCH,
            )
            quiz_objs = Quiz.objects.bulk_create(
                [
                    Quiz(
                        title=f"Quiz {i}",
                        slug=f"quiz-{i}",
                        goal=sentence(rng, 10),
                        description=sentence(rng, 30),
                        position=i,
                        created_at=now,
                        updated_at=now,
                    )
                    for i in range(quizzes)
                ],
                batch_size=BATCH,
            )
            question_objs = Question.objects.bulk_create(
                [
                    Question(
                        quiz=q,
                        position=p,
                        prompt=sentence(rng, 25) + " Which is right?",
                        explanation="\n\n".join(sentence(rng, 25) for _ in range(2)),
                    )
                    for q in quiz_objs
                    for p in range(1, questions + 1)
                ],
                batch_size=BATCH,
            )
            Question.related_terms.through.objects.bulk_create(
                [
                    Question.related_terms.through(question_id=q.pk, term_id=rng.choice(term_objs).pk)
                    for q in question_objs
                ],
                batch_size=BATCH,
            )
            Choice.objects.bulk_create(
                [
                    Choice(
                        question=q, position=c, text=words(rng, 4), is_correct=c == 0, rationale=sentence(rng)
                    )
                    for q in question_objs
                    for c in range(4)
                ],
                batch_size=BATCH,
            )
            topics = Topic.objects.bulk_create(
                [Topic(name=f"Topic {i}", slug=f"topic-{i}", position=i) for i in range(10)]
            )
            body_terms = [t.name for t in term_objs[:2000]]
            article_objs = Article.objects.bulk_create(
                [
                    Article(
                        title=f"Article {i}",
                        slug=f"article-{i}",
                        summary=sentence(rng, 20),
                        body="\n\n".join(
                            (f"## Part {p}\n\n" if p % 3 == 0 else "")
                            + sentence(rng, 60)
                            + " "
                            + rng.choice(body_terms)
                            + "."
                            for p in range(15)
                        ),
                        topic=rng.choice(topics),
                        level=rng.choice(["beginner", "intermediate", "advanced"]),
                        key_takeaways="\n".join(sentence(rng, 8) for _ in range(3)),
                        quiz=quiz_objs[i % len(quiz_objs)],
                        position=i,
                        created_at=now,
                        updated_at=now,
                    )
                    for i in range(articles)
                ],
                batch_size=500,
            )
            ArticleSource.objects.bulk_create(
                [
                    ArticleSource(article=a, position=0, title="A source", url="https://example.org/")
                    for a in article_objs
                ],
                batch_size=BATCH,
            )
            Article.related_terms.through.objects.bulk_create(
                [
                    Article.related_terms.through(article_id=a.pk, term_id=rng.choice(term_objs).pk)
                    for a in article_objs
                ],
                batch_size=BATCH,
            )
            password = make_password(None)
            users = get_user_model().objects.bulk_create(
                [get_user_model()(username=f"learner{i}", password=password) for i in range(learners)],
                batch_size=BATCH,
            )
            by_quiz = {}
            for q in question_objs:
                by_quiz.setdefault(q.quiz_id, []).append(q)
            correct = dict(Choice.objects.filter(is_correct=True).values_list("question_id", "pk"))
            wrong = dict(Choice.objects.filter(is_correct=False, position=1).values_list("question_id", "pk"))
            attempts = Attempt.objects.bulk_create(
                [
                    Attempt(
                        quiz=quiz_objs[(u.pk * 7 + k) % len(quiz_objs)],
                        user=u,
                        number=1,
                        seed=rng.getrandbits(60),
                        started_at=now,
                        finished_at=now,
                    )
                    for u in users
                    for k in range(5)
                ],
                batch_size=BATCH,
            )
            Answer.objects.bulk_create(
                [
                    Answer(
                        attempt=a,
                        question=q,
                        choice_id=(correct if (ok := rng.random() < 0.7) else wrong)[q.pk],
                        is_correct=ok,
                        credit=1.0 if ok else 0.0,
                        answered_at=now,
                    )
                    for a in attempts
                    for q in by_quiz[a.quiz_id]
                ],
                batch_size=BATCH,
            )
            bump_content_version()
            search.rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Seeded {terms:,} terms, {articles:,} articles, {quizzes:,} quizzes of {questions} questions, "
            f"{learners:,} learners with {len(attempts):,} attempts in {seconds:.1f} s."
        )
