"""The answer a learner sends for one question, checked against that question's own choices.

One form for every kind of question and every place that answers one (the quiz, the review,
practice): ``choice`` carries opaque tokens (``Choice.token``), ``value`` a typed number. Valid
input becomes a ``Response``; anything else a message in the learner's words, and nothing is
stored.
"""

from __future__ import annotations

from django import forms

from quizzes import numbers
from quizzes.models import Question, Response

TOKEN_MAX_LENGTH = 64


def choice_error(token: str) -> str:
    """What a learner reads when the Check button sent no choice, or a choice that is not there."""
    if not token:
        return "Choose one of the answers, then press Check."
    return "That answer is not one of this question’s choices. Reload the page and try again."


class AnswerForm(forms.Form):
    def __init__(self, question: Question, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.question = question
        self.message = ""

    def clean(self):
        data = self.data
        question = self.question
        try:
            if question.is_numeric:
                self.cleaned_data["response"] = self._number(data)
            elif question.is_multiple:
                self.cleaned_data["response"] = Response(choices=self._ticked(data))
            else:
                self.cleaned_data["response"] = Response(choices=(self._one(data),))
        except forms.ValidationError as error:
            self.message = error.messages[0]
            raise
        return self.cleaned_data

    def _tokens(self, data) -> list:
        tokens = data.getlist("choice") if hasattr(data, "getlist") else [data.get("choice", "")]
        return [t for t in tokens if t != ""]

    def _choice(self, token):
        found = None
        if isinstance(token, str) and len(token) <= TOKEN_MAX_LENGTH:
            found = self.question.choice_for_token(token)
        if found is None:
            raise forms.ValidationError(choice_error("?"))
        return found

    def _one(self, data):
        tokens = self._tokens(data)
        if not tokens:
            raise forms.ValidationError(choice_error(""))
        if len(tokens) > 1:
            raise forms.ValidationError("Choose one answer only, then press Check.")
        return self._choice(tokens[0])

    def _ticked(self, data) -> tuple:
        tokens = self._tokens(data)
        if not tokens:
            raise forms.ValidationError("Tick every answer that applies (at least one), then press Check.")
        if len(tokens) > len(self.question.choices.all()) or len(set(tokens)) != len(tokens):
            raise forms.ValidationError(choice_error("?"))
        return tuple(self._choice(token) for token in tokens)

    def _number(self, data) -> Response:
        raw = data.getlist("value") if hasattr(data, "getlist") else [data.get("value", "")]
        if not raw:
            raise forms.ValidationError(f"Type a number, for example {numbers.EXAMPLE}.")
        if len(raw) != 1 or not isinstance(raw[0], str):
            raise forms.ValidationError(f"Type one number, for example {numbers.EXAMPLE}.")
        try:
            value = numbers.parse(raw[0], percent=self.question.is_percent)
        except numbers.NotANumber as error:
            raise forms.ValidationError(str(error)) from None
        return Response(value=value, typed=" ".join(raw[0].split())[: numbers.MAX_LENGTH])
