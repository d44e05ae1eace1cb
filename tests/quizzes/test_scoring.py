import re

from quizzes import scoring
from quizzes.scoring import Score


def test_score_counts_right_answers_against_all_questions():
    result = scoring.score([True, False, True], total=5)

    assert result == Score(correct=2, total=5)
    assert result.percent == 40
    assert str(result) == "2 / 5"


def test_score_of_an_empty_quiz_is_zero_percent():
    assert scoring.score([], total=0).percent == 0


def test_percent_rounds_to_the_nearest_whole_number():
    assert Score(2, 3).percent == 67
    assert Score(1, 3).percent == 33


def test_best_prefers_the_higher_share_then_more_right():
    assert scoring.best([Score(3, 5), Score(4, 5), Score(2, 5)]) == Score(4, 5)
    assert scoring.best([Score(4, 8), Score(3, 5)]) == Score(3, 5)
    assert scoring.best([]) is None


def test_shuffle_is_stable_for_a_seed_and_differs_between_seeds():
    keys = list(range(1, 9))

    assert scoring.shuffled(7, keys) == scoring.shuffled(7, keys)
    assert sorted(scoring.shuffled(7, keys)) == keys
    orders = {tuple(scoring.shuffled(seed, keys)) for seed in range(20)}
    assert len(orders) > 15


def test_opaque_tokens_hide_the_key_and_its_order():
    tokens = [scoring.opaque_token(b"secret", key) for key in range(1, 50)]

    assert len(set(tokens)) == 49
    assert all(re.fullmatch(r"[0-9a-f]{16}", t) for t in tokens)
    assert tokens != sorted(tokens)
    assert scoring.opaque_token(b"other", 1) != tokens[0]
