"""The admin index says how many learners' reports are open (learn/adminsite.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learn.models import Report
from tests.factories import make_term

pytestmark = pytest.mark.django_db


def make_reports(**by_status):
    term = make_term()
    for status, n in by_status.items():
        for i in range(n):
            Report.objects.create(term=term, text=f"Report {i}", status=status)


def test_admin_index_shows_how_many_reports_are_open(admin_client):
    make_reports(open=3, fixed=2, dismissed=1)

    html = admin_client.get("/admin/").content.decode()

    assert '<a href="/admin/learn/report/?status__exact=open">3 open reports</a>' in html
    assert '<a href="/admin/quizzes/question/">Questions</a>' in html
    assert '<a href="/admin/learn/report/">Reports</a>' in html
    assert "Recent actions" in html


def test_admin_index_says_when_no_report_is_open(admin_client):
    make_reports(fixed=1)

    html = admin_client.get("/admin/").content.decode()

    assert ">No open reports</a>" in html


def test_admin_index_counts_reports_in_one_query_on_the_index_only(admin_client):
    make_reports(open=1)
    admin_client.get("/admin/")

    with CaptureQueriesContext(connection) as index:
        admin_client.get("/admin/")
    with CaptureQueriesContext(connection) as other:
        admin_client.get("/admin/quizzes/quiz/")

    counts = [q["sql"] for q in index.captured_queries if "learn_report" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0]
    assert not [q for q in other.captured_queries if "learn_report" in q["sql"]]
    assert len(index.captured_queries) == 3  # session with its user, the log of recent actions, the count


def test_admin_index_shows_no_count_to_staff_who_cannot_see_reports(client, django_user_model):
    make_reports(open=2)
    editor = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_question"))
    client.force_login(editor)

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/admin/").content.decode()

    assert "open report" not in html and "open-reports" not in html
    assert '<a href="/admin/quizzes/question/">Questions</a>' in html
    assert not [q for q in queries.captured_queries if "learn_report" in q["sql"]]
