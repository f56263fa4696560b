"""The Makefile's installs: uv when it can be had (bootstrapped into the venv by pip otherwise), pip
where uv fails or INSTALLER=pip, redone when pyproject.toml changes; and the distribution's name,
which is not PyPI's unrelated `quizapp`. Dry runs only (make -n, make -q): nothing is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make(venv: Path, *args: str, path: Path) -> subprocess.CompletedProcess:
    """make in the checkout, with the venv at VENV, PATH=path, and none of a calling make's flags."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env["PATH"] = str(path)
    return subprocess.run(  # noqa: S603 - make, with fixed arguments
        [MAKE, "-C", str(ROOT), "--no-print-directory", f"VENV={venv}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """A venv the Makefile takes as made: its python exists, so make does not create it."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    return venv


@pytest.fixture
def bare_path(tmp_path: Path) -> Path:
    """A PATH with make and grep on it, and no uv, whatever this machine has installed."""
    bare = tmp_path / "bare"
    bare.mkdir()
    for tool in ("make", "grep"):
        (bare / tool).symlink_to(shutil.which(tool))
    return bare


def test_without_uv_on_the_path_pip_bootstraps_uv_and_pip_takes_over_where_uv_fails(venv, bare_path):
    dry = make(venv, "-n", f"{venv}/.installed-app", path=bare_path)

    assert dry.returncode == 0, dry.stderr
    assert f"{venv}/bin/pip install uv==" in dry.stdout
    assert f"{venv}/bin/uv pip install --python {venv}/bin/python" in dry.stdout
    assert (
        f'|| {{ echo "uv failed: installing with pip instead"; {venv}/bin/pip install -e .; }}' in dry.stdout
    )
    assert "--quiet" not in dry.stdout  # the installers show their progress
    assert "first run only" in dry.stdout


def test_a_uv_on_the_path_is_used_as_it_is(venv, bare_path):
    (bare_path / "uv").touch(mode=0o755)

    dry = make(venv, "-n", f"{venv}/.installed-test", path=bare_path)

    assert dry.returncode == 0, dry.stderr
    assert f"{bare_path}/uv pip install --python {venv}/bin/python" in dry.stdout
    assert "-e '.[test]'" in dry.stdout


def test_installer_pip_installs_with_pip_alone(venv, bare_path):
    dry = make(venv, "-n", "INSTALLER=pip", f"{venv}/.installed-app", path=bare_path)

    assert dry.returncode == 0, dry.stderr
    assert f"{venv}/bin/pip install -e ." in dry.stdout
    assert "pip install uv" not in dry.stdout
    assert "uv pip install" not in dry.stdout


@pytest.mark.parametrize("stamp", [".installed-app", ".installed-test", ".installed-postgres"])
def test_each_install_is_redone_when_pyproject_changes_and_only_then(venv, bare_path, stamp):
    (venv / stamp).touch()

    assert make(venv, "-q", f"{venv}/{stamp}", path=bare_path).returncode == 0  # up to date
    redo = make(venv, "-q", "-W", "pyproject.toml", f"{venv}/{stamp}", path=bare_path)
    assert redo.returncode == 1  # pyproject.toml newer than the stamp: to be redone


def test_the_distribution_has_a_name_of_its_own_and_the_command_stays_quizapp():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert project["name"] == "quizapp-classroom"  # PyPI's `quizapp` is an unrelated project
    assert project["scripts"]["quizapp"] == "quizapp.cli:main"
