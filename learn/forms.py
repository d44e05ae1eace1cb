from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from learn.models import REPORT_MAX_LENGTH


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, max_length=254, help_text="Optional. Never shown to anyone.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class ReportForm(forms.Form):
    """What a learner sends to report a mistake; the target is named by slugs, never by keys."""

    KINDS = [("term", "term"), ("article", "article"), ("question", "question")]

    kind = forms.ChoiceField(choices=KINDS)
    slug = forms.SlugField(max_length=200)
    position = forms.IntegerField(required=False, min_value=1, max_value=100_000)
    text = forms.CharField(
        label="What is wrong?",
        min_length=5,
        max_length=REPORT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REPORT_MAX_LENGTH}),
        error_messages={
            "required": "Tell us what is wrong, in a sentence or two.",
            "min_length": "Tell us a little more (at least 5 characters).",
            "max_length": f"Please keep it under {REPORT_MAX_LENGTH:,} characters (it has %(show_value)d).",
        },
    )
    next = forms.CharField(required=False, max_length=500)
