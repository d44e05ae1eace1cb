"""The first article's toy example really shows forgetting: its printed output is what the code prints."""

import re
import subprocess
import sys

import pytest
from django.core.management import call_command

from learn.models import Article

pytestmark = pytest.mark.django_db

BLOCKS = re.compile(r"```python\n(?P<code>.*?)```\s*\n(?:[^\n`]*\n\s*)?```text\n(?P<output>.*?)```", re.S)


def test_forgetting_example_prints_what_the_article_shows():
    call_command("load_content")
    body = Article.objects.get(slug="what-is-catastrophic-forgetting").body
    match = BLOCKS.search(body)
    assert match, "the article needs a ```python block followed by a ```text block"

    result = subprocess.run(
        [sys.executable, "-c", match["code"]], capture_output=True, text=True, timeout=60, check=True
    )

    printed = [line.rstrip() for line in result.stdout.strip().splitlines()]
    shown = [line.rstrip() for line in match["output"].strip().splitlines()]
    assert printed == shown
    # And it is forgetting: task A accuracy falls after training on task B.
    before, after = (
        float(x) for x in re.findall(r"Task A accuracy after training on [AB]: ([\d.]+)", result.stdout)
    )
    assert before - after > 0.3
