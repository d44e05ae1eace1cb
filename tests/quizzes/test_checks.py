import pytest

from quizzes.checks import ERROR, WARNING, ChoiceData, check_question

GOOD = {
    "prompt": "Which term names this effect?",
    "explanation": "Because the weights are shared.",
    "choices": [
        ChoiceData("Catastrophic forgetting", True, "Right: old skills lost."),
        ChoiceData("Overfitting to the task", False, "That is about generalization."),
        ChoiceData("Distribution shift", False, "That is about inputs changing."),
    ],
}


def messages(**overrides):
    return [str(issue) for issue in check_question(**{**GOOD, **overrides})]


def test_a_well_formed_question_has_no_issues():
    assert messages() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"choices": [ChoiceData("A", True, "r")]}, f"{ERROR}: needs at least two choices (has 1)"),
        (
            {"choices": [ChoiceData("A", False, "r"), ChoiceData("B", False, "r")]},
            f"{ERROR}: needs exactly one correct choice (has 0)",
        ),
        (
            {"choices": [ChoiceData("A", True, "r"), ChoiceData("B", True, "r")]},
            f"{ERROR}: needs exactly one correct choice (has 2)",
        ),
        ({"missing_terms": ["Ghost"]}, f"{ERROR}: related term “Ghost” does not exist or is not published"),
        (
            {"explanation": "  "},
            f"{WARNING}: the explanation is missing: learners see nothing after answering",
        ),
        (
            {
                "choices": [
                    ChoiceData("A much longer and very specific correct answer", True, "r"),
                    ChoiceData("Short", False, "r"),
                    ChoiceData("Brief", False, "r"),
                ]
            },
            f"{WARNING}: the correct choice is much longer than the others (46 vs 5 characters)",
        ),
        (
            {"choices": [*GOOD["choices"], ChoiceData("All of the above", False, "r")]},
            f"{WARNING}: “All of the above”: avoid “all/none of the above”",
        ),
        (
            {"choices": [*GOOD["choices"], ChoiceData("None of the above", False, "r")]},
            f"{WARNING}: “None of the above”: avoid “all/none of the above”",
        ),
        (
            {"choices": [*GOOD["choices"], ChoiceData("distribution  SHIFT", False, "r")]},
            f"{WARNING}: two choices have the same text: “distribution  SHIFT”",
        ),
        (
            {"choices": [*GOOD["choices"], ChoiceData("Mode collapse", False, " ")]},
            f"{WARNING}: “Mode collapse” has no rationale",
        ),
        (
            {"prompt": "Which of these is NOT a mitigation?"},
            f"{WARNING}: negative prompt: put “NOT” in bold (**NOT**) so nobody misreads it",
        ),
    ],
)
def test_each_check_fires_on_a_question_built_to_trigger_it(overrides, expected):
    assert expected in messages(**overrides)


@pytest.mark.parametrize(
    "prompt",
    [
        "Which of these is **NOT** a mitigation?",
        "Which of these is *not* a mitigation?",
        "The model did not converge. What happened?",  # the negative is not in the question
        "Why does replay help?",
    ],
)
def test_emphasised_or_non_question_negatives_do_not_warn(prompt):
    assert not [m for m in messages(prompt=prompt) if "negative prompt" in m]


def test_similar_lengths_do_not_warn():
    choices = [ChoiceData("Replay old data", True, "r"), ChoiceData("Lower the rank", False, "r")]

    assert not [m for m in messages(choices=choices) if "longer" in m]
