"""A built wheel (not only the editable checkout) ships templates, static files,
migrations, catalogs and the `matchmaker` command, and leaves the tooling out."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["matchmaker", "solver", "tooling", "templates", "static", "migrations"]
FILES = ["pyproject.toml", "setup.py", "README.md"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # pip may download build tools


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel . --no-deps` on a clean copy of the sources (no stale build/ folder)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in FILES:
        shutil.copy(ROOT / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(work)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (built,) = work.glob("matchmaker-*.whl")
    return built


def test_packaging_wheel_ships_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "matchmaker/templates/base.html",
        "matchmaker/templates/auth/signin.html",
        "matchmaker/static/js/htmx.min.js",
        "matchmaker/static/css/app.css",
        "matchmaker/migrations/env.py",
        "matchmaker/migrations/script.py.mako",
        "matchmaker/migrations/versions/0001_initial_schema.py",
        "matchmaker/translations/vi/LC_MESSAGES/foundation.po",
        "solver/__init__.py",
    }
    assert expected <= names
    assert not [name for name in names if name.startswith("tests/") or "__pycache__" in name]
    assert not [name for name in names if name.startswith("tooling/")]


def test_packaging_wheel_declares_matchmaker_command(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(archive.read(entry_points).decode())
    assert dict(parser["console_scripts"]) == {"matchmaker": "matchmaker.cli:main"}


def test_packaging_unpacked_wheel_finds_its_resources(wheel: Path, tmp_path: Path) -> None:
    """Imported from the unpacked wheel (ahead of the editable checkout), the package
    finds its templates, static files, migrations and catalogs inside itself."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "from matchmaker.paths import resource_dir\n"
        "from matchmaker.i18n import translations\n"
        "for name in ('templates', 'static', 'migrations'):\n"
        "    print(resource_dir(name))\n"
        "print(translations('vi').gettext('Sign in'))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        str(site / "matchmaker" / "templates"),
        str(site / "matchmaker" / "static"),
        str(site / "matchmaker" / "migrations"),
        "Đăng nhập",
    ]


def test_packaging_unpacked_wheel_solver_bench_says_where_the_benchmark_is(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-m", "solver", "bench", "--synthetic", "none"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "python -m tooling solver-bench" in done.stderr
    assert "Traceback" not in done.stderr
