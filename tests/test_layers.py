"""The layers (README, "How the parts lean on each other"), checked by import-linter's contracts
in pyproject.toml: they hold today, they cover every module, and they do fail when broken."""

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import learn

ROOT = Path(__file__).resolve().parents[1]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120)


def test_the_contracts_hold():
    result = lint(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_the_base_layer_contract_names_every_module_of_learn_but_the_base_layer():
    modules = {f"learn.{m.name}" for m in pkgutil.iter_modules(learn.__path__)} - {"learn.core"}

    forbidden = set(contracts()["base"]["forbidden_modules"])

    assert modules <= forbidden, f"add to the contracts: {sorted(modules - forbidden)}"
    upper = modules  # the articles app and the site's wiring: above quizzes and the glossary
    assert upper <= set(contracts()["quizzes"]["forbidden_modules"])
    assert upper | {"quizzes"} <= set(contracts()["glossary"]["forbidden_modules"])


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("learn/core/markdown.py", "from learn import views", "The base layer (learn.core) imports no app"),
        ("learn/core/charts.py", "import glossary.models", "The base layer (learn.core) imports no app"),
        ("glossary/models.py", "import quizzes.models", "The glossary leans on the base layer only"),
        ("quizzes/views.py", "from learn.models import Article", "Quizzes lean on the glossary"),
        ("quizzes/scoring.py", "import django.db", "Quiz rules are plain Python"),
        ("quizzes/gift.py", "from quizzes import models", "Quiz rules are plain Python"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, broken):
    for part in ("learn", "glossary", "quizzes"):
        shutil.copytree(
            ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "fixtures")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # added by the test\n")

    result = lint(tmp_path)

    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout, result.stdout
