"""Synthetic solver instances with the structure of the Hậu Giang week, for the solver
benchmark and the solver tests.

Three days of two sessions of nine 20-minute slots; a minority of hosts (experts,
investors, agencies, tech firms) attracts most requests, some with a home table or two
representatives; participants attend only some sessions; requests carry weight 1, 2
(mutual interest) or 3 (must meet); some hosts cap their meetings per day or in a row.
With ``teams``, a host with two representatives has them as ``people``: the second
attends the first day only, and the first has the host's daily limit.
"""

from __future__ import annotations

import random

from solver.instance import Instance, Meeting, Options, Participant, Person, Slot, Table

SESSIONS = (("am", "08:00", 0), ("pm", "13:30", 1))


def _slots(days: int, per_session: int) -> list[Slot]:
    out = []
    for d in range(1, days + 1):
        date = f"2023-05-{17 + d:02d}"
        for name, start, _ in SESSIONS:
            h, m = (int(x) for x in start.split(":"))
            for k in range(per_session):
                a = h * 60 + m + 20 * k
                b = a + 20
                out.append(
                    Slot(
                        id=f"d{d}-{name}-{k + 1:02d}",
                        session=f"d{d}-{name}",
                        day=d,
                        start=f"{date}T{a // 60:02d}:{a % 60:02d}:00+07:00",
                        end=f"{date}T{b // 60:02d}:{b % 60:02d}:00+07:00",
                    )
                )
    return out


def event(
    participants: int = 350,
    meetings: int = 1500,
    tables: int = 30,
    days: int = 3,
    per_session: int = 9,
    seed: int = 2023,
    name: str | None = None,
    teams: bool = False,
) -> Instance:
    """A realistic brokerage event of the given size (deterministic for a seed)."""
    rng = random.Random(seed)
    slots = _slots(days, per_session)
    sessions = sorted({s.session for s in slots})
    by_session: dict[str, list[str]] = {}
    for s in slots:
        by_session.setdefault(s.session, []).append(s.id)

    n_hosts = max(2, participants // 5)
    people: list[Participant] = []
    attends: list[set[str]] = []
    for i in range(participants):
        host = i < n_hosts
        pid = f"h{i + 1}" if host else f"s{i - n_hosts + 1}"
        k = (
            rng.randint(min(3, len(sessions)), len(sessions))
            if host
            else rng.randint(min(2, len(sessions)), len(sessions))
        )
        present = set(rng.sample(sessions, k))
        unavailable = [s for sess in sessions if sess not in present for s in by_session[sess]]
        if rng.random() < 0.15:  # a personal appointment inside an attended session
            sess = rng.choice(sorted(present))
            start = rng.randrange(max(1, len(by_session[sess]) - 2))
            unavailable += by_session[sess][start : start + 2]
        people.append(
            Participant(
                id=pid,
                name=("Host " if host else "Startup ") + pid[1:],
                capacity=2 if host and rng.random() < 0.1 else 1,
                unavailable=sorted(unavailable),
                max_per_day=rng.choice([6, 8, 10]) if host and rng.random() < 0.3 else None,
                max_consecutive=4 if host and rng.random() < 0.2 else None,
            )
        )
        if teams and people[-1].capacity == 2:
            people[-1] = _team(people[-1], slots)
        attends.append(present)

    n_home = min(tables // 3, n_hosts // 3)
    table_list = [Table(id=f"T{k + 1:03d}", host=None) for k in range(tables)]
    homed = [p for p in range(n_hosts) if people[p].capacity == 1][:n_home]
    for k, p in enumerate(homed):
        table_list[k] = Table(id=f"T{k + 1:03d}", host=people[p].id)

    # hosts' popularity follows a Zipf-like law: a few are asked by very many
    popularity = [1.0 / (r + 1) ** 0.8 for r in range(n_hosts)]
    rng.shuffle(popularity)
    pairs: set[tuple[int, int]] = set()
    out: list[Meeting] = []
    guard = 0
    while len(out) < meetings and guard < 50 * meetings:
        guard += 1
        a = rng.randrange(n_hosts, participants)
        if rng.random() < 0.85:
            b = rng.choices(range(n_hosts), weights=popularity)[0]
        else:
            b = rng.randrange(n_hosts, participants)
        key = (min(a, b), max(a, b))
        if a == b or key in pairs or not (attends[a] & attends[b]):
            continue
        pairs.add(key)
        r = rng.random()
        w = 3 if r < 0.05 else 2 if r < 0.35 else 1
        out.append(
            Meeting(id=f"m{len(out) + 1}", participants=[people[a].id, people[b].id], weight=w)
        )
    return Instance(
        name=name or f"synthetic-{participants}p-{meetings}m",
        slots=slots,
        tables=table_list,
        participants=people,
        meetings=out,
        options=Options(require_all=False, fairness_max_diff=None, keep_previous=True),
    )


def _team(host: Participant, slots: list[Slot]) -> Participant:
    """The host's two representatives as people; the second one only on day 1."""
    first = Person(id=f"{host.id}-1", name=f"{host.label} (1)", max_per_day=host.max_per_day)
    second = Person(
        id=f"{host.id}-2", name=f"{host.label} (2)", unavailable=[s.id for s in slots if s.day != 1]
    )
    return host.model_copy(update={"max_per_day": None, "people": [first, second]})


def demo(seed: int = 2023) -> Instance:
    return event(350, 1500, 30, seed=seed, name="demo-350p-1500m")


def large(seed: int = 2023) -> Instance:
    return event(3000, 15000, 300, seed=seed, name="10x-3000p-15000m")


def teams(seed: int = 2023) -> Instance:
    """The demo event with its two-representative hosts as people on different days."""
    return event(350, 1500, 30, seed=seed, name="teams-350p-1500m", teams=True)
