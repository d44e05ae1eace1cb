"""The Aiken format (Moodle's simplest): one best answer questions only, plain Python.

    Which layer does LoRA leave frozen?
    A. The adapters
    B) The base weights
    ANSWER: B

The question is every line before the first option; options are a capital letter, ``.`` or
``)``, a space and the text; ``ANSWER:`` names the right letter and ends the question. Aiken has
no feedback: the explanation and the rationales are left empty (a note says so).
"""

from __future__ import annotations

import re

from quizzes.formats import SINGLE, Draft, DraftChoice, Parsed, check

OPTION_RE = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
ANSWER_RE = re.compile(r"^ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


def parse(text: str) -> Parsed:
    parsed = Parsed()
    prompt: list[str] = []
    options: dict[str, str] = {}
    first = 0
    broken = False  # the current question already has an error: skip to its ANSWER line

    def reset() -> None:
        nonlocal first, broken
        prompt.clear()
        options.clear()
        first, broken = 0, False

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = ANSWER_RE.match(line)
        option = OPTION_RE.match(line)
        if answer:
            letters = answer[1].upper()
            if broken:
                pass
            elif not prompt:
                parsed.error(number, "an ANSWER line without a question before it.")
            elif len(options) < 2:
                parsed.error(
                    number, f"the question has {len(options)} option(s): it needs A. and B. at least."
                )
            elif not re.fullmatch(r"[A-Z]", letters):
                parsed.error(
                    number,
                    f"“ANSWER: {answer[1]}” must be one letter: Aiken has one right answer per question "
                    "(for select all that apply, use GIFT).",
                )
            elif letters not in options:
                parsed.error(
                    number, f"ANSWER: {letters} names no option (the options are {', '.join(options)})."
                )
            else:
                parsed.drafts.append(
                    Draft(
                        line=first,
                        kind=SINGLE,
                        prompt="\n".join(prompt),
                        choices=[DraftChoice(text, letter == letters) for letter, text in options.items()],
                    )
                )
            reset()
        elif option and prompt:
            if option[1] in options and not broken:
                parsed.error(number, f"a second option {option[1]}.")
                broken = True
            options[option[1]] = option[2]
        elif options:
            if not broken:
                parsed.error(
                    number,
                    f"“{line[:50]}” is neither an option (A. text) nor the ANSWER: line; "
                    "a question without its ANSWER line runs into the next.",
                )
                broken = True
        else:
            first = first or number
            prompt.append(line)
    if (prompt or options) and not broken:
        parsed.error(first, "the last question has no ANSWER: line.")
    if parsed.drafts:
        parsed.note(
            None,
            "Aiken has no feedback: each question’s explanation and its choices’ rationales are "
            "left empty for you to write (learners see nothing after answering until then).",
        )
    return check(parsed)
