from django.utils.functional import SimpleLazyObject

from learn.core.learners import Learner
from quizzes.models import due_count, end_of_today


def review_due(request):
    """“N to review” in the header: one count, only for a known learner, only if a page shows it."""

    def count() -> int:
        if getattr(request, "user", None) is None:
            return 0  # an error page rendered before authentication ran (e.g. a bad Host header)
        learner = Learner.from_request(request)
        if learner is None:
            return 0
        return due_count(learner, end_of_today())

    return {"review_due": SimpleLazyObject(count)}
