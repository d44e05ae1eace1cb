"""Aiken: one best answer questions, plain functions, no database."""

import pytest

from quizzes import aiken
from quizzes.formats import DraftChoice


def test_questions_options_and_answers():
    parsed = aiken.parse(
        "Which is frozen?\nA. Adapters\nB) Base weights\nANSWER: B\n\nSecond\nline?\nA. x\nB. y\nANSWER: a\n"
    )

    first, second = parsed.drafts
    assert (first.line, first.kind, first.prompt) == (1, "single", "Which is frozen?")
    assert first.choices == [DraftChoice("Adapters", False), DraftChoice("Base weights", True)]
    assert (second.line, second.prompt, [c.is_correct for c in second.choices]) == (
        6,
        "Second\nline?",
        [True, False],
    )
    assert not parsed.errors
    assert "Aiken has no feedback" in str(parsed.notes[0])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Q?\nA. x\nB. y\n", "line 1: the last question has no ANSWER: line."),
        ("Q?\nA. x\nB. y\nANSWER: C", "line 4: ANSWER: C names no option (the options are A, B)."),
        ("Q?\nA. x\nB. y\nANSWER: A, B", "must be one letter: Aiken has one right answer per question"),
        ("Q?\nA. x\nANSWER: A", "line 3: the question has 1 option(s)"),
        ("Q?\nA. x\nA. y\nANSWER: A", "line 3: a second option A."),
        ("Q?\nA. x\nmore text\nB. y\nANSWER: A", "line 3: “more text” is neither an option"),
        ("ANSWER: A", "line 1: an ANSWER line without a question before it."),
    ],
)
def test_each_bad_question_gets_its_own_message(text, error):
    parsed = aiken.parse(f"Fine?\nA. a\nB. b\nANSWER: A\n\n{text}".replace("\n\n", "\n\n", 1))

    shifted = error
    for n in range(1, 6):
        shifted = shifted.replace(f"line {n}:", f"line {n + 5}:")
    assert any(shifted in str(p) for p in parsed.errors), parsed.problems
    assert len(parsed.drafts) == 1
