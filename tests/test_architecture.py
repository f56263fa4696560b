"""The layering of docs/architecture.md holds: import-linter checks pyproject.toml's contracts."""

from __future__ import annotations

import logging
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
    layers = '    "banks",\n    "questions",\n'
    project = (ROOT / "pyproject.toml").read_text()
    assert layers in project
    swapped = tmp_path / "swapped.toml"
    swapped.write_text(project.replace(layers, '    "questions",\n    "banks",\n'))

    assert lint_imports(config_filename=str(swapped), no_cache=True, no_logo=True) == 1
    assert "quizapp.banks" in capsys.readouterr().out
