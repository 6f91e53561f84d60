"""Read instances and solutions from files, with errors that name the file and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from solver.dzn import DEFAULT_FAIRNESS, DznError, read_dzn
from solver.instance import Instance
from solver.solution import Solution

T = TypeVar("T", bound=BaseModel)


class InputError(Exception):
    """Bad input file; ``str()`` is a one-line message for a person."""


def _describe(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {loc}: {msg}" if loc else f"{path}: {msg}")
    return "\n".join(lines)


def _load_json(path: Path, cls: type[T]) -> T:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InputError(_describe(path, exc)) from None


def load_instance(path: str | Path, fairness: int | None = None) -> Instance:
    """A JSON instance, or a B2BSP ``.dzn`` (``fairness`` = d, default 2 for .dzn)."""
    path = Path(path)
    if path.suffix == ".dzn":
        try:
            return read_dzn(path, DEFAULT_FAIRNESS if fairness is None else fairness)
        except DznError as exc:
            raise InputError(str(exc)) from None
        except ValidationError as exc:
            raise InputError(_describe(path, exc)) from None
    instance = _load_json(path, Instance)
    if fairness is not None:
        instance.options.fairness_max_diff = fairness
    return instance


def load_solution(path: str | Path) -> Solution:
    return _load_json(Path(path), Solution)
