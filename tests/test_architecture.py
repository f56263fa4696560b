"""The layering of docs/architecture.md holds: import-linter checks pyproject.toml's contracts."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True)
def _loggers_kept() -> Iterator[None]:
    """import-linter sets logging up for its command line (``logging.config.dictConfig``), which
    disables every logger the process has made so far, the app's among them: the tests after
    this one (in any order, on any xdist worker) would see no line the app logs."""
    loggers = [log for log in logging.root.manager.loggerDict.values() if isinstance(log, logging.Logger)]
    disabled = {log: log.disabled for log in loggers}
    yield
    for log, was in disabled.items():
        log.disabled = was


def test_every_import_follows_the_layers(capsys: pytest.CaptureFixture[str]):
    assert lint_imports(no_cache=True, no_logo=True) == 0, capsys.readouterr().out


def test_the_checker_catches_an_upward_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Banks read questions: with the two layers swapped, the contract must break."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = config["contracts"][0]["layers"]
    banks, questions = layers.index("banks"), layers.index("questions")
    layers[banks], layers[questions] = layers[questions], layers[banks]
    swapped = tmp_path / "swapped.toml"
    swapped.write_text(_toml(config))

    assert lint_imports(config_filename=str(swapped), no_cache=True, no_logo=True) == 1
    assert "quizapp.banks" in capsys.readouterr().out


def _toml(config: dict) -> str:
    """The [tool.importlinter] table back as TOML (strings, booleans and lists of strings only)."""

    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace('"', '\\"') + '"'

    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {value(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {value(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"
