"""Item statistics on a data set small enough to compute by hand.

Four learners, three questions (A, B, C); right = 1:
    L1: A1 B1 C1 (total 3)   L2: A1 B1 C0 (2)   L3: A0 B1 C0 (1)   L4: A0 B0 C1 (1)
Question A: rest scores (total minus A) 2, 1, 1, 1; right group mean 1.5, wrong group mean 1;
population sd of the rest scores sqrt(0.1875) = 0.4330; p = q = 0.5;
r_pb = (1.5 - 1) / 0.4330 * 0.5 = 0.5774 (that is 1/sqrt(3)).
Question C: rest 2, 2, 1, 0; right mean 1, wrong mean 1.5; sd sqrt(0.6875) = 0.8292;
r_pb = -0.5 / 0.8292 * 0.5 = -0.3015: it separates learners the wrong way.
"""

import pytest

from quizzes import analysis

A, B, C = 1, 2, 3
CHOICES = {A: [11, 12, 13], B: [21, 22], C: [31, 32]}
RESPONSES = [
    {A: (11, True), B: (21, True), C: (31, True)},
    {A: (11, True), B: (21, True), C: (32, False)},
    {A: (12, False), B: (21, True), C: (32, False)},
    {A: (12, False), B: (22, False), C: (31, True)},
]


def test_facility_is_the_share_right():
    stats = analysis.analyse(RESPONSES, CHOICES)

    assert stats[A].facility == 0.5
    assert stats[B].facility == 0.75
    assert stats[A].attempts == 4


def test_discrimination_is_the_point_biserial_against_the_rest_score():
    stats = analysis.analyse(RESPONSES, CHOICES)

    assert stats[A].discrimination == pytest.approx(0.57735, abs=1e-4)
    assert stats[C].discrimination == pytest.approx(-0.30151, abs=1e-4)


def test_pick_rates_include_choices_nobody_picked():
    stats = analysis.analyse(RESPONSES, CHOICES)

    assert stats[A].pick_rates == {11: 0.5, 12: 0.5, 13: 0.0}


def test_discrimination_is_undefined_without_spread():
    assert analysis.point_biserial([True, True], [1, 2]) is None  # everyone right
    assert analysis.point_biserial([True, False], [1, 1]) is None  # no spread in the rest
    assert analysis.point_biserial([], []) is None


def test_no_flags_from_too_few_attempts():
    assert analysis.analyse(RESPONSES, CHOICES)[C].flags == ()


@pytest.mark.parametrize(
    ("attempts", "facility", "discrimination", "rates", "expected"),
    [
        (10, 0.95, 0.3, {1: 0.95, 2: 0.05}, (analysis.TOO_EASY,)),
        (10, 0.9, 0.3, {1: 0.9, 2: 0.1}, ()),
        (10, 0.1, 0.3, {1: 0.1, 2: 0.9}, (analysis.TOO_HARD,)),
        (10, 0.5, -0.2, {1: 0.5, 2: 0.5}, (analysis.NEGATIVE,)),
        (20, 0.5, 0.4, {1: 0.5, 2: 0.48, 3: 0.02}, (analysis.UNUSED_CHOICE,)),
        (19, 0.5, 0.4, {1: 0.5, 2: 0.5, 3: 0.0}, ()),
        (9, 0.95, -0.5, {1: 0.95, 2: 0.05}, ()),
    ],
)
def test_flags(attempts, facility, discrimination, rates, expected):
    assert analysis.flags_for(attempts, facility, discrimination, rates) == expected
