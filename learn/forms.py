from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator

from learn.models import REPORT_MAX_LENGTH


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, max_length=254, help_text="Optional. Never shown to anyone.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_passwords(self, "password1", "password2")


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


PASSWORD_MAX_LENGTH = 256


def limit_passwords(form: forms.Form, *names: str) -> None:
    """Django's password fields have no maximum: give them one, with a clear message."""
    for name in names:
        field = form.fields[name]
        field.max_length = PASSWORD_MAX_LENGTH
        field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
        field.widget.attrs["maxlength"] = PASSWORD_MAX_LENGTH
        field.error_messages["max_length"] = (
            f"Passwords can be at most {PASSWORD_MAX_LENGTH} characters long."
        )


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_passwords(self, "password")


class LimitedPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_passwords(self, "old_password", "new_password1", "new_password2")
