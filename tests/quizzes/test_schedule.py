import datetime as dt

from quizzes import scoring
from quizzes.schedule import Next, after_answer, is_due

TODAY = dt.date(2026, 11, 23)


def test_a_missed_question_comes_back_the_next_day():
    assert after_answer(step=None, correct=False, today=TODAY) == Next(step=0, due=dt.date(2026, 11, 24))


def test_a_right_answer_to_a_question_never_missed_schedules_nothing():
    assert after_answer(step=None, correct=True, today=TODAY) is None


def test_right_answers_space_reviews_3_then_7_days_then_retire():
    first = after_answer(step=0, correct=True, today=TODAY)
    second = after_answer(step=first.step, correct=True, today=dt.date(2026, 11, 26))
    third = after_answer(step=second.step, correct=True, today=dt.date(2026, 12, 3))

    assert first == Next(step=1, due=dt.date(2026, 11, 26))
    assert second == Next(step=2, due=dt.date(2026, 12, 3))
    assert third.due is None


def test_a_wrong_answer_at_any_step_starts_over():
    assert after_answer(step=2, correct=False, today=TODAY) == Next(step=0, due=dt.date(2026, 11, 24))


def test_due_dates_include_today_and_the_past_but_not_the_future():
    assert is_due(TODAY, TODAY)
    assert is_due(TODAY - dt.timedelta(days=3), TODAY)
    assert not is_due(TODAY + dt.timedelta(days=1), TODAY)
    assert not is_due(None, TODAY)


def test_mastery_needs_the_last_two_answers_right():
    assert scoring.mastery([]) == scoring.NOT_STARTED
    assert scoring.mastery([True]) == scoring.PRACTISING
    assert scoring.mastery([False, True]) == scoring.PRACTISING
    assert scoring.mastery([False, True, True]) == scoring.MASTERED
    assert scoring.mastery([True, True, False]) == scoring.PRACTISING
