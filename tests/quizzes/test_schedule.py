"""The memory model (quizzes/schedule.py): FSRS with fixed datetimes, no database."""

import datetime as dt

import pytest

from quizzes import icalendar, schedule
from quizzes.schedule import Memory, mastery, replay, review

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def days(memory: Memory) -> float:
    return (memory.due - memory.last_review).total_seconds() / 86400


def test_a_wrong_first_answer_comes_back_the_next_day_and_never_rates_a_pass():
    memory = review(None, False, START)

    assert days(memory) == 1
    assert memory.lapses == 1 and memory.reps == 1
    assert schedule.rating(False) == schedule.AGAIN and schedule.rating(True) == schedule.GOOD


def test_intervals_grow_with_every_right_answer_at_its_due_time():
    memory = review(None, False, START)
    intervals = []
    for _ in range(5):
        memory = review(memory, True, memory.due)
        intervals.append(days(memory))

    assert intervals == sorted(intervals) and len(set(intervals)) == 5
    assert intervals[:3] == [2, 6, 17]  # as measured for fsrs 6.3.2 with the default weights


def test_a_wrong_answer_resets_the_interval_and_counts_a_lapse():
    memory = review(None, True, START)
    for _ in range(4):
        memory = review(memory, True, memory.due)
    long_interval = days(memory)

    memory = review(memory, False, memory.due)

    # FSRS keeps some of a long-held memory after a lapse (497 days drops to 7), unlike a reset to 1.
    assert long_interval > 300 and days(memory) < long_interval / 20
    assert memory.lapses == 1 and memory.reps == 6


def test_questions_never_retire_and_recall_keeps_falling_without_review():
    memory = review(None, False, START)
    for _ in range(3):
        memory = review(memory, True, memory.due)

    assert memory.due > memory.last_review  # still scheduled after three right answers
    assert memory.retrievability(memory.last_review) == pytest.approx(1.0)
    # A fixed 1-3-7 queue would have let this question go; the model expects about 76 % recall.
    assert memory.retrievability(memory.last_review + dt.timedelta(days=90)) == pytest.approx(0.757, abs=0.01)


def test_replaying_the_history_gives_the_same_card_as_live_reviews():
    answers = [(START, False), (START + dt.timedelta(hours=1), True), (START + dt.timedelta(days=1), True)]
    live = None
    for at, correct in answers:
        live = review(live, correct, at)

    assert replay(reversed(answers)) == live  # order of the input does not matter
    assert replay([]) is None


def test_same_day_practice_nudges_stability_but_keeps_the_review_a_day_away():
    missed = review(None, False, START)
    practised = review(missed, True, START + dt.timedelta(minutes=5))

    assert practised.stability > missed.stability
    assert days(practised) >= 1


def test_reviews_refuse_naive_datetimes_and_time_travel():
    with pytest.raises(ValueError, match="timezone-aware"):
        review(None, True, dt.datetime(2026, 12, 1, 9, 0))
    memory = review(None, True, START)
    with pytest.raises(ValueError, match="time order"):
        review(memory, True, START - dt.timedelta(days=1))


def test_a_lower_desired_retention_spaces_reviews_further():
    strict = review(review(None, True, START), True, START + dt.timedelta(days=2), retention=0.95)
    relaxed = review(review(None, True, START), True, START + dt.timedelta(days=2), retention=0.8)

    assert days(relaxed) > days(strict)


def memory_with(stability: float) -> Memory:
    return Memory(state=2, stability=stability, difficulty=5.0, due=START, last_review=START)


@pytest.mark.parametrize(
    ("stabilities", "level"),
    [
        ([], "new"),
        ([2.0], "learning"),
        ([10.0, 40.0], "solid"),
        ([35.0, 90.0], "lasting"),
        ([90.0, 3.0], "learning"),
    ],
)
def test_a_terms_level_is_set_by_its_weakest_question(stabilities, level):
    result = mastery([memory_with(s) for s in stabilities], START)

    assert result.level == level
    assert result.meaning == schedule.LEVELS[level]


def test_mastery_projects_recall_thirty_days_ahead():
    result = mastery([memory_with(10.0)], START)

    assert result.today == pytest.approx(1.0)
    assert 0 < result.later < result.today


def test_the_calendar_has_one_all_day_event_per_review_day():
    text = icalendar.reviews(
        [(dt.date(2026, 12, 3), 4), (dt.date(2026, 12, 9), 1)],
        url="https://recall.example/progress/review/",
        host="recall.example",
        stamp=START,
    )

    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20261203" in lines and "DTEND;VALUE=DATE:20261204" in lines
    assert "SUMMARY:Recall: 4 questions to review" in lines
    assert "SUMMARY:Recall: 1 question to review" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
