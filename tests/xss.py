"""A corpus of hostile inputs, and a checker for the HTML that shows them.

Every payload carries the marker "_xss" so the checker can tell an injected attribute from the
site's own; a payload that ran would set window.__xss or open a dialog. The marker holds an
underscore, which no CSRF token (letters and digits) or other value the site writes can contain:
a page whose random token happens to spell "xss" is not a finding.
"""

from html.parser import HTMLParser

MARKER = "_xss"

CORPUS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1"><circle r=1 /></svg>',
    "<svg><script>window.__xss=1</script></svg>",
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<a href="javascript:window.__xss=1">xss link</a>',
    '<a href="JaVaScRiPt:window.__xss=1">xss caps</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">xss data</a>',
    '<div hx-get="/_xss" hx-trigger="load">xss htmx</div>',
    '<div data-hx-get="/_xss" data-hx-trigger="load">xss data-htmx</div>',
    '<p style="background:url(javascript:window.__xss=1)">xss style</p>',
    '"><img src=x onerror=window.__xss=1>',
    "'><script>window.__xss=1</script>",
    "<details open ontoggle=window.__xss=1>xss",
    "<form action=javascript:window.__xss=1><button>xss</button></form>",
    "[xss md link](javascript:window.__xss=1)",
    "[xss md data](data:text/html,<script>window.__xss=1</script>)",
    '![xss md img](x" onerror="window.__xss=1)',
    "<a href='https://example.org' onclick='window.__xss=1'>xss click</a>",
    "</textarea><script>window.__xss=1</script>",
    "{{ 7*7 }} {% csrf_token %} xss template",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
]
TEXT = "\n\n".join(CORPUS)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value[:30]}>")
            if (name.startswith(("hx-", "data-hx-"))) and MARKER in value:
                self.problems.append(f"<{tag} {name}={value[:30]}>")
            if name == "style" and MARKER in value:
                self.problems.append(f"<{tag} style>")
        if tag in {"iframe", "object", "embed", "math"}:
            self.problems.append(f"<{tag}>")
        self.in_script = tag == "script"

    def handle_data(self, data):
        if self.in_script and MARKER in data:
            self.problems.append("<script> with payload")

    def handle_endtag(self, tag):
        self.in_script = False


def problems(html: str) -> list[str]:
    checker = Checker()
    checker.feed(html)
    return checker.problems
