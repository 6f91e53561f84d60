"""Read the B2BSP benchmark's MiniZinc ``.dzn`` files with the paper's exact semantics.

All slots form one session ``"1".."T"``; participants are ``"1".."P"``; meetings are
``"1".."M"`` in file order and all required; the morning/afternoon flag, forbidden slots,
fixed slots and precedences become ``allowed_slots``, ``unavailable``, ``fixed_slot`` and
``after``; the fairness bound d (default 2) becomes ``options.fairness_max_diff``.
"""

from __future__ import annotations

import re
from pathlib import Path

from solver.instance import Instance, Meeting, Options, Participant, Slot, Table

DEFAULT_FAIRNESS = 2


class DznError(ValueError):
    """A ``.dzn`` file that cannot be read; the message names the file and the key."""


def _ints(text: str, where: str) -> list[int]:
    out = []
    for tok in text.replace("|", ",").split(","):
        tok = tok.strip()
        if tok:
            try:
                out.append(int(tok))
            except ValueError:
                raise DznError(f"{where}: {tok!r} is not an integer") from None
    return out


def parse(text: str, source: str = "<dzn>") -> dict[str, object]:
    """Split a .dzn text into ``key -> int | list[int] | list[list[int]]``."""
    text = re.sub(r"%[^\n]*", "", text)
    values: dict[str, object] = {}
    for stmt in text.split(";"):
        stmt = stmt.strip()
        if not stmt:
            continue
        if "=" not in stmt:
            raise DznError(
                f"{source}: cannot read statement {stmt[:40]!r} (expected 'key = value')"
            )
        key, _, raw = stmt.partition("=")
        key, raw = key.strip(), raw.strip()
        if not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise DznError(f"{source}: bad key {key!r}")
        values[key] = _value(raw, f"{source}: {key}")
    return values


def _value(raw: str, where: str) -> int | list[int] | list[list[int]]:
    """One value: an integer, an array, an array of sets or a 2-d array (``[| ... |]``)."""
    if raw.startswith("[|"):
        if not raw.endswith("|]"):
            raise DznError(f"{where}: 2-d array not closed with '|]'")
        return [_ints(r, where) for r in raw[2:-2].split("|") if r.strip(" ,\n\t")]
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise DznError(f"{where}: array not closed with ']'")
        body = raw[1:-1].strip()
        if "{" not in body:
            return _ints(body, where)
        sets = re.findall(r"\{([^{}]*)\}", body)
        rest = re.sub(r"\{[^{}]*\}", "", body).replace(",", "").strip()
        if rest:
            raise DznError(f"{where}: unexpected {rest[:20]!r} in an array of sets")
        return [_ints(s, where) for s in sets]
    try:
        return int(raw)
    except ValueError:
        raise DznError(f"{where}: {raw[:20]!r} is not an integer") from None


def _get_int(values: dict[str, object], key: str, source: str) -> int:
    if key not in values:
        raise DznError(f"{source}: missing {key}")
    v = values[key]
    if not isinstance(v, int) or v < 0:
        raise DznError(f"{source}: {key} must be a non-negative integer")
    return v


def _get_list(values: dict[str, object], key: str, source: str, n: int) -> list:
    v = values.get(key)
    if not isinstance(v, list):
        raise DznError(f"{source}: missing array {key}")
    if len(v) != n:
        raise DznError(f"{source}: {key} has {len(v)} entries, expected {n}")
    return v


def to_instance(
    values: dict[str, object], name: str, fairness: int | None = DEFAULT_FAIRNESS, source: str = ""
) -> Instance:
    source = source or name
    n_people = _get_int(values, "nBusiness", source)
    n_meetings = _get_int(values, "nMeetings", source)
    n_tables = _get_int(values, "nTables", source)
    n_slots = _get_int(values, "nTotalSlots", source)
    n_morning = _get_int(values, "nMorningSlots", source) if "nMorningSlots" in values else n_slots
    if n_slots == 0:
        raise DznError(f"{source}: nTotalSlots must be positive")
    requested = _get_list(values, "requested", source, n_meetings)
    forbidden = (
        _get_list(values, "forbidden", source, n_people)
        if "forbidden" in values
        else [[] for _ in range(n_people)]
    )
    fixed = (
        _get_list(values, "fixed", source, n_meetings) if "fixed" in values else [0] * n_meetings
    )
    precedences = (
        _get_list(values, "precedences", source, n_meetings)
        if "precedences" in values
        else [[] for _ in range(n_meetings)]
    )

    slots = [Slot(id=str(t), session="1", day=1) for t in range(1, n_slots + 1)]
    sessions: dict[int, list[str] | None] = {
        1: [str(t) for t in range(1, n_morning + 1)],  # morning
        2: [str(t) for t in range(n_morning + 1, n_slots + 1)],  # afternoon
        3: None,  # either
    }
    participants = [_participant(p, forbidden[p], n_slots, source) for p in range(n_people)]
    meetings = []
    for m, row in enumerate(requested):
        a, b, session = _requested(m, row, n_people, source)
        if session not in sessions:
            raise DznError(f"{source}: requested row {m + 1}: session {session} not in 1, 2, 3")
        fix = fixed[m]
        if not isinstance(fix, int) or not 0 <= fix <= n_slots:
            raise DznError(f"{source}: fixed[{m + 1}]: {fix} out of 0..{n_slots}")
        meetings.append(
            Meeting(
                id=str(m + 1),
                participants=[str(a), str(b)],
                allowed_slots=sessions[session],
                fixed_slot=str(fix) if fix else None,
                after=_after(m, precedences[m], n_meetings, source),
            )
        )
    return Instance(
        name=name,
        slots=slots,
        tables=[Table(id=str(k)) for k in range(1, n_tables + 1)],
        participants=participants,
        meetings=meetings,
        options=Options(require_all=True, fairness_max_diff=fairness, keep_previous=True),
    )


def _participant(p: int, forbidden: list[int], n_slots: int, source: str) -> Participant:
    bad = [t for t in forbidden if t != 0]
    for t in bad:
        if not 1 <= t <= n_slots:
            raise DznError(f"{source}: forbidden[{p + 1}]: slot {t} out of 1..{n_slots}")
    return Participant(id=str(p + 1), unavailable=[str(t) for t in sorted(bad)])


def _requested(m: int, row: list[int], n_people: int, source: str) -> tuple[int, int, int]:
    """Row ``m`` of ``requested``, checked: (participant, participant, session)."""
    if len(row) != 3:
        raise DznError(
            f"{source}: requested row {m + 1} has {len(row)} values, expected "
            "'participant, participant, session'"
        )
    a, b, session = row
    for who in (a, b):
        if not 1 <= who <= n_people:
            raise DznError(
                f"{source}: requested row {m + 1}: participant {who} out of 1..{n_people}"
            )
    if a == b:
        raise DznError(f"{source}: requested row {m + 1}: a meeting needs two participants")
    return a, b, session


def _after(m: int, precedences: list[int], n_meetings: int, source: str) -> list[str]:
    """The meetings meeting ``m`` must follow, checked."""
    after = []
    for q in precedences:
        if not 1 <= q <= n_meetings or q == m + 1:
            raise DznError(f"{source}: precedences[{m + 1}]: bad meeting {q}")
        after.append(str(q))
    return after


def read_dzn(path: str | Path, fairness: int | None = DEFAULT_FAIRNESS) -> Instance:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DznError(f"{path}: cannot read: {exc}") from None
    name = path.name.removesuffix(".dzn")
    return to_instance(parse(text, str(path)), name, fairness, str(path))
