"""The account page and the password reset flow in Chromium: axe finds nothing, in light and
dark; htmx swaps the email section in place. With RECALL_SCREENSHOTS=DIR the pages (and the 413
page) are also saved there at 1280 and 360 px, light and dark, for a person to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-passphrase-42"
NEW = "a-fresh-passphrase-77"
SHOTS = os.environ.get("RECALL_SCREENSHOTS")


def check(page, axe_check, name: str) -> None:
    """axe in both colour schemes; screenshots at both widths when asked for."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        axe_check(page)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            for width in (1280, 360):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=f"{SHOTS}/{name}-{width}-{scheme}.png", full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")


def sign_in(page, live_server, username="ada"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_account_page(live_server, page, axe_check, mailoutbox):
    get_user_model().objects.create_user("ada", email="ada@example.org", password=PASSWORD)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
    check(page, axe_check, "account")

    page.evaluate("window.__sameDocument = true")
    page.get_by_label("New email address").fill("not an address")
    page.get_by_role("button", name="Change address").click()
    expect(page.get_by_text("Enter an email address such as")).to_be_visible()
    expect(page.get_by_label("New email address")).to_be_focused()
    check(page, axe_check, "account-email-error")
    page.get_by_label("New email address").fill("ada@new.example")
    page.get_by_role("button", name="Change address").click()
    expect(page.get_by_text("We sent a link to ada@new.example")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # swapped in place by htmx
    assert [m.to for m in mailoutbox] == [["ada@new.example"]]

    page.get_by_label("Your password").fill("wrong-password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password. Nothing was deleted.")).to_be_visible()
    expect(page.get_by_label("Your password")).to_be_focused()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Your account and everything it held were deleted.")).to_be_visible()
    assert not get_user_model().objects.exists()


def test_the_password_reset_flow(live_server, page, axe_check, mailoutbox):
    get_user_model().objects.create_user("ada", email="ada@example.org", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value("ada")
    check(page, axe_check, "login-failed")

    page.get_by_role("link", name="Reset it by email").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    check(page, axe_check, "reset-form")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check(page, axe_check, "reset-done")

    link = re.search(r"http://[^/]+(/accounts/reset/\S+)", mailoutbox[0].body).group(1)
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("12345678")
    page.get_by_label("New password confirmation").fill("12345678")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("This password is entirely numeric.")).to_be_visible()
    expect(page.get_by_label("New password confirmation")).to_be_focused()  # where Django puts it
    check(page, axe_check, "reset-confirm")
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password confirmation").fill(NEW)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    check(page, axe_check, "reset-complete")

    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    check(page, axe_check, "reset-used")


def test_the_413_page(live_server, page, axe_check):
    page.goto(f"{live_server.url}/")
    page.evaluate(
        """() => {
          const form = document.createElement("form");
          form.method = "post"; form.action = "/report/";
          const text = document.createElement("textarea");
          text.name = "text"; text.value = "x".repeat(1100 * 1024);
          form.append(text); document.body.append(form); form.submit();
        }"""
    )
    expect(page.get_by_role("heading", name="That was more than we accept")).to_be_visible()
    check(page, axe_check, "413")
