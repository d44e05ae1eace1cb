"""Sign up, log in, log out and change password with Django's auth.

Whatever a visitor did before (attempts, answers, review queue, articles read) moves to the
account at sign-up and at log-in. Every page returns to where the learner was (safe ``next`` only).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from learn.core import ratelimit
from learn.core.http import safe_next
from learn.core.learners import SESSION_KEY, Learner
from learn.forms import LimitedPasswordChangeForm, LoginForm, SignupForm
from learn.models import adopt_visitor_reads
from quizzes.models import adopt_visitor_progress


def sign_in(request: HttpRequest, user) -> None:
    """Log in and bring along what the visitor did in this browser."""
    visitor = Learner.from_request(request)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if visitor and visitor.visitor:
        adopt_visitor_progress(visitor=visitor.visitor, user=user)
        adopt_visitor_reads(visitor=visitor.visitor, user=user)
    request.session.pop(SESSION_KEY, None)


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("progress:overview"))
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url)
    form = SignupForm(request.POST or None)
    status = 200
    key = ratelimit.client_key(request)
    if request.method == "POST":
        if ratelimit.is_limited(ratelimit.SIGNUP, key):
            form.add_error(
                None,
                f"Too many sign-ups from your connection. Try again in {ratelimit.SIGNUP.describe_wait()}.",
            )
            status = 429
        elif form.is_valid():
            ratelimit.record(ratelimit.SIGNUP, key)
            user = form.save()
            sign_in(request, user)
            messages.success(request, f"Welcome, {user.username}. Your progress is saved to your account.")
            return HttpResponseRedirect(next_url)
        else:
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
    key = ratelimit.client_key(request)
    if request.method == "POST":
        if ratelimit.is_limited(ratelimit.FAILED_LOGIN, key):
            # Refused before the password is even checked: guessing gains nothing here.
            form = LoginForm(request, initial={"username": request.POST.get("username", "")[:150]})
            refusal = (
                "Too many failed sign-in attempts from your connection. "
                f"Wait {ratelimit.FAILED_LOGIN.describe_wait()} and try again."
            )
            status = 429
        elif form.is_valid():
            sign_in(request, form.get_user())
            return HttpResponseRedirect(next_url)
        else:
            ratelimit.record(ratelimit.FAILED_LOGIN, key)
            status = 400
    context = {"form": form, "next": next_url, "refusal": refusal}
    return render(request, "registration/login.html", context, status=status)


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(
        request, "You are logged out. Progress you make now stays in this browser until you sign in."
    )
    return HttpResponseRedirect(safe_next(request, "/"))


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("progress:overview"))
    form = LimitedPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return HttpResponseRedirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/password_change.html", {"form": form, "next": next_url}, status=status
    )
