"""Where the shipped resources live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """`templates`, `static` or `migrations`: inside the package when installed
    from a wheel (setup.py maps them there), beside it in a source checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"resource directory {name!r} not found near {PACKAGE_DIR}")


def private_dir(path: Path) -> Path:
    """`path` as a folder only this user can open: the database, the secret key and
    uploaded files live there (made if missing)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path
