"""Accounts on Django's auth: sign up, log in and out, passwords (change and reset), email
addresses (confirmed by a signed link), the account page with the learner's data (download,
delete) and, for visitors without an account, clearing their progress on this device.

Whatever a visitor did before (attempts, answers, review queue, articles read) moves to the
account at sign-up and at log-in. Every page returns to where the learner was (safe ``next`` only).
Every form that checks a password counts its failures (``ratelimit.failures_counted``).
"""

from __future__ import annotations

import json
import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import learn.models
import quizzes.models
from learn.core import ratelimit
from learn.core.http import safe_next, see_other
from learn.core.learners import SESSION_KEY, Learner
from learn.core.models import LearnerSession
from learn.forms import (
    USERNAME_TAKEN,
    EmailChangeForm,
    LimitedPasswordChangeForm,
    LoginForm,
    NewPasswordForm,
    PasswordConfirmForm,
    ResetRequestForm,
    SignupForm,
)

logger = logging.getLogger(__name__)

# Each app's own functions for a learner's data, in the order the download lists them.
DATA_APPS = (quizzes.models, learn.models)
EXPORT_FORMAT = "recall-learner-data/1"
PROGRESS_MOVED = "Your progress from this device was added to your account."


def describe_duration(seconds: int) -> str:
    hours = seconds / 3600
    if hours >= 24 and hours % 24 == 0:
        days = int(hours // 24)
        return f"{days} day{'s' if days != 1 else ''}"
    if hours >= 1 and hours == int(hours):
        return f"{int(hours)} hour{'s' if hours != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def sign_in(request: HttpRequest, user) -> bool:
    """Log in (a new session key), bring along what the visitor did in this browser, and give the
    session its signed-in lifetime. Returns whether anything of the visitor's moved."""
    visitor = Learner.from_request(request)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    moved = 0
    if visitor and visitor.visitor:
        moved += quizzes.models.adopt_visitor_progress(visitor=visitor.visitor, user=user)
        moved += learn.models.adopt_visitor_reads(visitor=visitor.visitor, user=user)
    request.session.pop(SESSION_KEY, None)
    request.session.set_expiry(settings.SIGNED_IN_SESSION_AGE)
    return moved > 0


def end_other_sessions(request: HttpRequest, user) -> int:
    """Delete every session of ``user`` but this request's: they are signed out at once."""
    others = LearnerSession.objects.filter(user_id=user.pk)
    if request.session.session_key:
        others = others.exclude(session_key=request.session.session_key)
    return others.delete()[0]


# ---- Email addresses: confirmed by a signed link sent to the new address ---------------------

EMAIL_SALT = "recall.accounts.email"


def deliver(subject: str, template: str, context: dict, address: str) -> bool:
    """Send one email; a mail server that fails is logged (with the address's domain only) and
    reported to the caller, never a 500 in the learner's face."""
    try:
        send_mail(subject, render_to_string(template, context), None, [address])
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send %r to an address at %s", subject, address.rpartition("@")[2])
        return False
    return True


def send_email_confirmation(request: HttpRequest, user, address: str) -> bool:
    """A link, sent to ``address``, that makes it the account's address when opened. It names the
    address the account had when it was sent, so it works once: after any change it is void.
    Returns whether the email went out."""
    token = signing.dumps({"u": user.pk, "to": address, "from": user.email}, salt=EMAIL_SALT, compress=True)
    link = request.build_absolute_uri(reverse("email_confirm", args=[token]))
    context = {
        "user": user,
        "link": link,
        "address": address,
        "valid_for": describe_duration(settings.EMAIL_CHANGE_TIMEOUT),
    }
    return deliver(
        "Confirm your email address for Recall", "registration/email_confirm_email.txt", context, address
    )


def email_change_in(token: str) -> tuple[User, str] | None:
    """The user and the new address a confirmation link is for, or None if it is not valid: mistyped,
    expired, for a deleted account, or already used (the account's address is no longer the one
    it was sent from)."""
    try:
        data = signing.loads(token, salt=EMAIL_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("from") or user.email == data.get("to"):
        return None
    return user, data["to"]


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links change nothing); POST applies it."""
    found = email_change_in(token)
    if found is None:
        return render(request, "registration/email_confirm.html", {"valid": False}, status=400)
    user, address = found
    if request.method == "GET":
        return render(request, "registration/email_confirm.html", {"valid": True, "address": address})
    old = user.email
    User.objects.filter(pk=user.pk).update(email=address)
    if old:
        context = {"user": user, "old": old, "address": address}
        deliver("Your Recall email address was changed", "registration/email_changed_email.txt", context, old)
    messages.success(request, f"{address} is now the email address of your account.")
    return see_other(reverse("account") if request.user.is_authenticated else reverse("login"))


# ---- Sign up, log in, log out ------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("progress:overview"))
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url)
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            # Counted before the form is checked, whatever the outcome: probing names costs too.
            ratelimit.take(ratelimit.SIGNUP, ratelimit.client_key(request))
        except ratelimit.Limited as limited:
            form = SignupForm(initial={"username": request.POST.get("username", "")[:150]})
            context = {"form": form, "next": next_url, "refusal": limited.message}
            return render(request, "registration/signup.html", context, status=429)
        if form.is_valid():
            try:
                with transaction.atomic():
                    user = form.save()
            except IntegrityError:  # a parallel sign-up took the name between check and insert
                form.add_error("username", USERNAME_TAKEN)
            else:
                moved = sign_in(request, user)
                address = form.cleaned_data.get("email")
                welcome = f"Welcome, {user.username}."
                welcome += " Your progress is saved to your account." if not moved else f" {PROGRESS_MOVED}"
                if address and send_email_confirmation(request, user, address):
                    welcome += f" We sent a link to {address}: open it to confirm your address."
                elif address:
                    welcome += f" We could not send an email to {address} just now: add it again later on your account page."
                messages.success(request, welcome)
                return HttpResponseRedirect(next_url)
        status = 400
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def log_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("progress:overview"))
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(next_url)
    form = LoginForm(request, data=request.POST or None)
    status = 200
    refusal = ""
    if request.method == "POST":
        try:
            valid = form.is_valid()
        except ratelimit.Limited as limited:
            # Refused before the password is even checked: guessing gains nothing here.
            form = LoginForm(request, initial={"username": request.POST.get("username", "")[:150]})
            refusal, status = limited.message, 429
        else:
            if valid:
                if sign_in(request, form.get_user()):
                    messages.success(request, PROGRESS_MOVED)
                return HttpResponseRedirect(next_url)
            status = 400
    context = {"form": form, "next": next_url, "refusal": refusal}
    return render(request, "registration/login.html", context, status=status)


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(
        request, "You are signed out. Progress you make now stays in this browser until you sign in again."
    )
    return HttpResponseRedirect(safe_next(request, "/"))


# ---- Passwords ---------------------------------------------------------------------------


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("account"))
    form = LimitedPasswordChangeForm(request, request.user, request.POST or None)
    status, refusal = 200, ""
    if request.method == "POST":
        try:
            valid = form.is_valid()
        except ratelimit.Limited as limited:
            form = LimitedPasswordChangeForm(request, request.user)
            refusal, valid, status = limited.message, False, 429
        if valid:
            user = form.save()
            update_session_auth_hash(request, user)
            ended = end_other_sessions(request, user)
            text = "Your password has been changed."
            if ended:
                text += f" You were signed out on {ended} other browser{'s' if ended != 1 else ''}."
            messages.success(request, text)
            return see_other(next_url)
        status = status if refusal else 400
    context = {"form": form, "next": next_url, "refusal": refusal}
    return render(request, "registration/password_change.html", context, status=status)


class PasswordReset(auth_views.PasswordResetView):
    """Django's reset request, rate limited per client and per address. The answer is the same
    whether or not an account has the address; the limits count addresses, known or not."""

    form_class = ResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    extra_email_context = {"valid_for": describe_duration(settings.PASSWORD_RESET_TIMEOUT)}
    extra_context = {"valid_for": describe_duration(settings.PASSWORD_RESET_TIMEOUT)}

    def form_valid(self, form):
        try:
            ratelimit.take_all(
                (ratelimit.PASSWORD_RESET, ratelimit.client_key(self.request)),
                (ratelimit.PASSWORD_RESET_ADDRESS, ratelimit.name_key("email", form.cleaned_data["email"])),
            )
        except ratelimit.Limited as limited:
            form.add_error(None, limited.message)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDone(auth_views.PasswordResetDoneView):
    extra_context = {"valid_for": describe_duration(settings.PASSWORD_RESET_TIMEOUT)}


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's token check (expires, works once, only for its own account); after the new
    password is set, every session of the account is ended."""

    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"valid_for": describe_duration(settings.PASSWORD_RESET_TIMEOUT)}

    def form_valid(self, form):
        response = super().form_valid(form)
        end_other_sessions(self.request, form.user)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


# ---- The account page --------------------------------------------------------------------


def account_context(request: HttpRequest, **extra) -> dict:
    user = request.user
    others = LearnerSession.objects.filter(user_id=user.pk, expire_date__gt=timezone.now())
    if request.session.session_key:
        others = others.exclude(session_key=request.session.session_key)
    return {
        "email_form": EmailChangeForm(user),
        "delete_form": PasswordConfirmForm(request),
        "other_sessions": others.count(),
        "signed_in_for": describe_duration(settings.SIGNED_IN_SESSION_AGE),
        **extra,
    }


def account_fragment(request: HttpRequest, partial: str, context: dict, status: int = 200) -> HttpResponse:
    """One section of the account page for htmx, the whole page otherwise."""
    template = f"accounts/account.html#{partial}" if request.htmx else "accounts/account.html"
    return render(request, template, account_context(request, **context), status=status)


@never_cache
@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", account_context(request))


@never_cache
@login_required
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST)
    if not form.is_valid():
        return account_fragment(request, "email", {"email_form": form}, status=400)
    try:
        ratelimit.take(ratelimit.EMAIL_CHANGE, ratelimit.name_key("user", str(request.user.pk)))
    except ratelimit.Limited as limited:
        form.add_error(None, limited.message)
        return account_fragment(request, "email", {"email_form": form}, status=429)
    address = form.cleaned_data["email"]
    if not send_email_confirmation(request, request.user, address):
        form.add_error(None, "We could not send an email just now. Nothing changed: please try again later.")
        return account_fragment(request, "email", {"email_form": form}, status=503)
    sent = f"We sent a link to {address}. Your address changes when you open it"
    sent += f" (within {describe_duration(settings.EMAIL_CHANGE_TIMEOUT)})."
    if not request.htmx:
        messages.success(request, sent)
        return see_other(reverse("account") + "#email")
    return account_fragment(request, "email", {"email_sent": sent})


@never_cache
@login_required
@require_POST
def log_out_others(request: HttpRequest) -> HttpResponse:
    ended = end_other_sessions(request, request.user)
    done = (
        f"Signed out on {ended} other browser{'s' if ended != 1 else ''}."
        if ended
        else "You were not signed in anywhere else."
    )
    if not request.htmx:
        messages.success(request, done)
        return see_other(reverse("account") + "#sessions")
    return account_fragment(request, "sessions", {"sessions_done": done})


def learner_export(user) -> dict:
    """Everything the site keeps about a signed-in learner (README, "Your data", field by field)."""
    learner = Learner(user_id=user.pk)
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "sessions": [
            {"expires_at": expires.isoformat()}
            for expires in LearnerSession.objects.filter(user_id=user.pk)
            .order_by("expire_date")
            .values_list("expire_date", flat=True)
        ],
    }
    for app in DATA_APPS:
        data.update(app.learner_data(learner))
    return data


@never_cache
@login_required
@require_GET
def data_download(request: HttpRequest) -> HttpResponse:
    body = json.dumps(learner_export(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="recall-data-{stamp}.json"'
    return response


def delete_learner(learner: Learner) -> None:
    """Every app's rows of this learner, through each app's own function (inside the caller's
    transaction)."""
    for app in DATA_APPS:
        app.delete_learner_data(learner)


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request, request.POST)
    try:
        valid = form.is_valid()
    except ratelimit.Limited as limited:
        context = {"delete_form": PasswordConfirmForm(request), "delete_refusal": limited.message}
        return account_fragment(request, "delete", context, status=429)
    if not valid:
        return account_fragment(request, "delete", {"delete_form": form}, status=400)
    user = request.user
    with transaction.atomic():
        delete_learner(Learner(user_id=user.pk))
        LearnerSession.objects.filter(user_id=user.pk).delete()
        user.delete()
    auth_logout(request)
    messages.success(
        request, "Your account and everything it held were deleted. Thank you for learning with us."
    )
    return see_other(reverse("learn:home"))


@require_POST
def clear_progress(request: HttpRequest) -> HttpResponse:
    """A visitor without an account forgets what they did on this device (the same deletion)."""
    learner = Learner.from_request(request)
    if request.user.is_authenticated:
        raise Http404("Signed-in learners delete their data on the account page")
    if learner is not None:
        with transaction.atomic():
            delete_learner(learner)
        request.session.pop(SESSION_KEY, None)
    messages.success(request, "Your progress on this device was cleared.")
    return see_other(reverse("progress:overview"))
