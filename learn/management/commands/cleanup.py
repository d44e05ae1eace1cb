"""Keep only what is needed: run daily (README, "Keeping only what is needed")."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from learn.accounts import DATA_APPS, delete_learner
from learn.core import ratelimit
from learn.core.learners import Learner
from learn.core.models import LearnerSession

# A visitor's rows are written a moment before their new session is saved: rows this recent are
# never taken for a visitor whose session is gone.
GRACE = dt.timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Delete expired sessions (Django's clearsessions), rate-limit counts no limit reads any "
        "more, and the progress of anonymous visitors whose session has expired (they did not come "
        "back for the session lifetime, so nobody can reach it); their reports stay, unlinked."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        sessions_before = LearnerSession.objects.count()
        call_command("clearsessions")
        sessions = sessions_before - LearnerSession.objects.count()
        buckets = ratelimit.forget_old(now)
        live = set(
            LearnerSession.objects.filter(expire_date__gt=now, visitor__isnull=False).values_list(
                "visitor", flat=True
            )
        )
        idle = set().union(*(app.idle_visitors(now - GRACE) for app in DATA_APPS))
        gone = sorted(idle - live)
        for visitor in gone:
            with transaction.atomic():
                delete_learner(Learner(visitor=visitor))
        self.stdout.write(
            f"Deleted {sessions} expired session{'s' if sessions != 1 else ''}, {buckets} old rate-limit "
            f"row{'s' if buckets != 1 else ''} and the data of {len(gone)} visitor{'s' if len(gone) != 1 else ''} "
            "whose session had expired."
        )
