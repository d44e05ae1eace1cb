from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.contrib.auth.models import User
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from learn.core import ratelimit
from learn.models import REPORT_MAX_LENGTH

PASSWORD_HELP = (
    "At least 8 characters, not only digits, not a well-known password and not like your username "
    "or email address. A few unrelated words make a strong one that is easy to remember."
)
EMAIL_HELP = (
    "Optional. Only used to reset a forgotten password and, if you ask for them, to send review "
    "reminders. We send a link to confirm it; it is never shown to anyone."
)
USERNAME_HELP = "Letters a–z, digits and @ . + - _ only; up to 150 characters."
USERNAME_TAKEN = "That username is taken. Choose another one."
USERNAME_CHARACTERS = (
    "Use only the letters a–z and A–Z, digits and @ . + - _ (no spaces or accented letters), so "
    "that no name can look like another."
)
EMAIL_MAX_LENGTH = 254
EMAIL_ASCII = (
    "Enter the address in plain letters (a–z, digits and . _ - + @); write an international "
    "domain in its xn-- form."
)


class FocusFirstError:
    """A form shown again with errors puts the cursor where the first one is: on the first field
    with an error, else (an error about the whole form) on ``focus_on_form_error``."""

    focus_on_form_error = None

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self.errors:
            return
        names = [name for name in self.fields if name in self.errors]
        name = names[0] if names else self.focus_on_form_error
        if name in self.fields:
            for field in self.fields.values():  # Django's log-in form focuses the username
                field.widget.attrs.pop("autofocus", None)
            self.fields[name].widget.attrs["autofocus"] = True


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


def clean_address(value: str) -> str:
    """An email address as the site keeps it: Django's checks, plain characters only."""
    if not value.isascii():
        raise ValidationError(EMAIL_ASCII, code="ascii")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def email_field(*, required: bool, label: str = "Email address", help_text: str = "") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=required,
        max_length=EMAIL_MAX_LENGTH,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": EMAIL_MAX_LENGTH}),
        error_messages={
            "invalid": "Enter an email address such as ada@example.org.",
            "max_length": f"An email address has at most {EMAIL_MAX_LENGTH} characters (this one has %(show_value)d).",
        },
    )


class SignupForm(FocusFirstError, UserCreationForm):
    """The email address is not saved here: the view sends it a confirmation link first."""

    email = email_field(required=False, label="Email address (optional)", help_text=EMAIL_HELP)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.help_text = USERNAME_HELP
        username.validators.append(ASCIIUsernameValidator(message=USERNAME_CHARACTERS))
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password2"].help_text = "The same password again, to be sure it is what you meant."
        limit_passwords(self, "password1", "password2")

    def clean_username(self):
        # Whether a name is taken is said only once everything else is right (``clean``): a
        # failed sign-up confirms no more names than a learner needs to pick one.
        return self.cleaned_data.get("username")

    def clean_email(self):
        value = self.cleaned_data.get("email", "")
        return clean_address(value) if value else ""

    def _post_clean(self):
        super()._post_clean()  # the model's checks and the password validators
        username = self.cleaned_data.get("username")
        if username and not self.errors and User.objects.filter(username__iexact=username).exists():
            # Case variants count as taken; the form's characters rule out Unicode look-alikes.
            self.add_error("username", ValidationError(USERNAME_TAKEN, code="taken"))

    def validate_unique(self):
        """The database's unique constraint is the last word (a parallel sign-up with the same
        name): the view turns its IntegrityError into ``USERNAME_TAKEN``."""


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


class CountedLogin:
    """A log-in form whose password check is counted against the failed log-in limits (per
    client, per account) before it runs: ``ratelimit.Limited`` when either is used up."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()  # a field is missing: no password is checked, nothing counted
        with ratelimit.failures_counted(self.request, username):
            return super().clean()


class LoginForm(FocusFirstError, CountedLogin, AuthenticationForm):
    focus_on_form_error = "password"  # a wrong password: the username stays, the password goes

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_passwords(self, "password")


class AdminLoginForm(CountedLogin, AdminAuthenticationForm):
    """The admin's log-in, under the same limits as the site's (learn/urls.py sets it)."""


class LimitedPasswordChangeForm(FocusFirstError, PasswordChangeForm):
    """Guesses of the old password count like failed log-ins (per client and per account)."""

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        limit_passwords(self, "old_password", "new_password1", "new_password2")

    def clean_old_password(self):
        with ratelimit.failures_counted(self.request, self.user.get_username()):
            return super().clean_old_password()


class ResetRequestForm(FocusFirstError, PasswordResetForm):
    email = email_field(required=True, help_text="The address you confirmed for your account.")


class NewPasswordForm(FocusFirstError, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        limit_passwords(self, "new_password1", "new_password2")


class EmailChangeForm(FocusFirstError, forms.Form):
    email = email_field(
        required=True,
        label="New email address",
        help_text="We send a link to this address; it becomes yours when you open it.",
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        value = clean_address(self.cleaned_data["email"])
        if value.casefold() == self.user.email.casefold():
            raise ValidationError("That is already your address.", code="same")
        return value


class PasswordConfirmForm(FocusFirstError, forms.Form):
    """Asks for the signed-in learner's password before something that cannot be undone; the
    check counts like a log-in."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to confirm. Nothing was deleted."},
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        limit_passwords(self, "password")

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        with ratelimit.failures_counted(self.request, user.get_username()):
            if not user.check_password(password):
                raise ValidationError("That is not your password. Nothing was deleted.", code="wrong")
        return password
