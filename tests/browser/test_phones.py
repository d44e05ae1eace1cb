"""Every kind of page on a 360 x 740 phone, light and dark: nothing scrolls sideways, every chart's
bars and labels are on screen, the header takes at most two rows, axe finds nothing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Card, Quiz
from tests.conftest import HX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
PAGES = [
    "/",
    "/glossary/",
    "/glossary/catastrophic-forgetting/",
    "/learn/",
    "/learn/measuring-forgetting/",  # the article with the three-series chart
    "/quizzes/",
    "/quizzes/measuring-forgetting/",
    "/progress/",  # with a score chart: two finished attempts
    "/progress/review/",  # with questions due
    "/search/?q=forgetting",
    "/accounts/signup/",
    "/accounts/login/",
]

# Everything a chart draws, and where it is against the viewport.
CHART_BOXES = """() => [...document.querySelectorAll(
    'figure.chart svg rect, figure.chart svg text, figure.chart .chart-legend li')].map(el => {
  const r = el.getBoundingClientRect();
  return {what: el.tagName + ' ' + (el.textContent || el.getAttribute('class')), left: r.left, right: r.right};
})"""


def finish(client: Client, quiz: Quiz, right: int) -> None:
    for question in quiz.questions.order_by("position"):
        url = reverse("quizzes:answer", args=[quiz.slug, question.position])
        if question.is_numeric:  # a number question: the accepted value, or one far from it
            value = question.accepted_value if question.position <= right else question.accepted_value * 3 + 7
            client.post(url, {"value": f"{value:g}"}, **HX)
            continue
        choice = question.choices.filter(is_correct=question.position <= right).first()
        client.post(url, {"choice": choice.token}, **HX)


@pytest.fixture
def learner_context(live_server, browser):
    """The shipped content and a learner with two finished attempts and reviews due."""
    call_command("load_content")
    client = Client()
    quiz = Quiz.objects.get(slug="measuring-forgetting")
    finish(client, quiz, right=2)
    client.post(reverse("quizzes:retake", args=[quiz.slug]))
    finish(client, quiz, right=5)
    Card.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))

    def new_context(**options):
        context = browser.new_context(viewport=PHONE, **options)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        return context

    return new_context


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_fits_a_phone_and_passes_axe(live_server, learner_context, axe_check, scheme):
    context = learner_context(color_scheme=scheme)
    page = context.new_page()
    charted = set()
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")

        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        for box in page.evaluate(CHART_BOXES):
            assert box["left"] >= 0 and box["right"] <= PHONE["width"], (path, box)
            charted.add(path)
        brand, toggle = page.locator(".brand"), page.locator(".menu-toggle")
        search = page.locator(".header-search")
        assert abs(brand.bounding_box()["y"] - toggle.bounding_box()["y"]) < 12, path  # one row
        if search.count():  # the search page has its own box instead of the header's
            assert search.bounding_box()["y"] > toggle.bounding_box()["y"] + 20, path  # the second row
        assert page.locator(".site-header").bounding_box()["height"] < 130, path  # and no third
        axe_check(page)
    assert charted == {"/learn/measuring-forgetting/", "/progress/"}  # both charts were measured
    context.close()


def test_the_phone_menu_is_a_button_that_opens_the_links(live_server, browser, axe_check):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    menu = page.get_by_role("button", name="Menu")
    glossary = page.get_by_role("navigation", name="Main").get_by_role("link", name="Glossary")

    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(glossary).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(glossary).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    axe_check(page)
    page.keyboard.press("Escape")
    expect(glossary).to_be_hidden()
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")  # a real button: the keyboard opens it too
    expect(glossary).to_be_visible()
    page.mouse.click(180, 700)  # a click elsewhere closes it
    expect(menu).to_have_attribute("aria-expanded", "false")
    context.close()


def test_without_javascript_the_menu_is_a_disclosure_and_wide_screens_show_the_links(live_server, browser):
    phone = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    glossary = page.get_by_role("navigation", name="Main").get_by_role("link", name="Glossary")
    expect(glossary).to_be_hidden()
    page.locator("summary", has_text="Menu").click()
    expect(glossary).to_be_visible()
    glossary.click()
    expect(page).to_have_url(f"{live_server.url}/glossary/")
    phone.close()

    for javascript in (True, False):
        wide = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=javascript)
        page = wide.new_page()
        page.goto(f"{live_server.url}/")
        expect(
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Quizzes")
        ).to_be_visible()
        expect(page.get_by_role("link", name="Progress")).to_be_visible()
        expect(page.locator(".menu-toggle")).to_be_hidden()
        assert page.locator(".site-header").bounding_box()["height"] < 70  # one row
        wide.close()
