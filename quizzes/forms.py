"""The answer a learner sends for one question, checked against that question's own choices."""

from __future__ import annotations

from django import forms

from quizzes.models import Choice, Question

TOKEN_MAX_LENGTH = 64


def choice_error(token: str) -> str:
    """What a learner reads when the Check button sent no choice, or a choice that is not there."""
    if not token:
        return "Choose one of the answers, then press Check."
    return "That answer is not one of this question’s choices. Reload the page and try again."


class AnswerForm(forms.Form):
    """``choice`` is an opaque token (see ``Choice.token``); it must name one of ``question``'s
    choices. Used by the quiz, the review and practice: one set of rules and messages."""

    choice = forms.CharField(max_length=TOKEN_MAX_LENGTH, required=False, strip=False)

    def __init__(self, question: Question, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question

    def clean_choice(self) -> Choice:
        token = self.cleaned_data["choice"]
        choice = self.question.choice_for_token(token) if token else None
        if choice is None:
            raise forms.ValidationError(choice_error(token))
        return choice

    @property
    def message(self) -> str:
        """The problem, in the learner's words, for the question's fragment ("" when valid)."""
        if "choice" not in self.errors:
            return ""
        sent = self.data.get("choice", "")
        return choice_error(sent if isinstance(sent, str) else "?")
