"""Drive a real gunicorn server with many learners answering quizzes (fault tests, benchmark).

Loopback only: every request goes to 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORM_RE = re.compile(r'<form id="q(\d+)" class="question" method="post" action="([^"]+)".*?</form>', re.S)
TOKEN_RE = re.compile(r'name="choice" value="([0-9a-f]{16})"')
CSRF_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def site_env(db_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="learn.settings",
        DJANGO_SECRET_KEY="load-test-only-not-a-secret",
        DJANGO_SQLITE_PATH=str(db_path),
        DJANGO_PLAIN_STATIC="true",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        **extra,
    )
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def workers(self) -> list[int]:
        """The master's live children, read from /proc (no procps needed)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                children.append(int(stat.parent.name))
        return children


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, threads: int = 4, cpu: str = "", log: Path | None = None):
    """A gthread gunicorn on a free port, ready (health check answered, every worker up) when
    the block starts. ``cpu`` pins it to those cores (taskset); ``log`` keeps its stderr."""
    port = free_port()
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [
            *(["taskset", "-c", cpu] if cpu else []),
            sys.executable,
            "-m",
            "gunicorn",
            "learn.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--graceful-timeout",
            "10",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=output,
    )
    server = Server(process, port)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/healthz")[0] == 200 and len(server.workers()) == workers:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            output.close()


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode(), response.getheaders()
    finally:
        conn.close()


@dataclass
class Learner:
    """One browser: its cookies, the CSRF token its pages carry, and what it was told."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    answered: set[tuple[str, int]] = field(default_factory=set)
    failures: int = 0

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def _keep_cookies(self, headers) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]

    def open_quiz(self, slug: str) -> list[tuple[int, str, str]]:
        """The quiz page: (position, answer URL, a choice token) for every unanswered question
        that has choices (a number question has none: the load leaves it out)."""
        status, body, headers = request(self.port, "GET", f"/quizzes/{slug}/", headers=self._headers())
        self._keep_cookies(headers)
        assert status == 200, status
        self.csrf = CSRF_RE.search(body).group(1)
        return [
            (int(position), html.unescape(action), tokens[0])
            for position, action, form in (
                (m.group(1), m.group(2), m.group(0)) for m in FORM_RE.finditer(body)
            )
            if (tokens := TOKEN_RE.findall(form))
        ]

    def answer(self, slug: str, position: int, action: str, token: str) -> bool:
        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.csrf,
                "HX-Request": "true",
                "Origin": f"http://127.0.0.1:{self.port}",
                "Referer": f"http://127.0.0.1:{self.port}/quizzes/{slug}/",
            }
        )
        try:
            status, body, response_headers = request(self.port, "POST", action, f"choice={token}", headers)
        except (OSError, http.client.HTTPException):  # reset, or a response cut off mid-body
            self.failures += 1
            return False
        self._keep_cookies(response_headers)
        if status == 200 and "question answered" in body:
            self.answered.add((slug, position))
            return True
        self.failures += 1
        return False

    def stored(self, slug: str) -> set[tuple[str, int]]:
        """What the site shows this learner as answered (read back through the site itself)."""
        status, body, _ = request(self.port, "GET", f"/quizzes/{slug}/", headers=self._headers())
        assert status == 200
        return {(slug, int(p)) for p in re.findall(r'<section id="q(\d+)" class="question answered"', body)}
