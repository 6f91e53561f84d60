"""The directory of organisations: filters, diacritic-insensitive search, pages,
and an organisation's public page.

Only approved organisations are listed. Representatives appear through
:class:`PublicRepresentative`, which has no email or phone at all, so no page
built from it can show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import String, type_coerce
from sqlmodel import Session, col, select

from matchmaker.availability import DayShape, day_shape, present_day_numbers
from matchmaker.db import Latest
from matchmaker.directory import Page
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.matching import fit_values, stored_tags
from matchmaker.models import (
    Account,
    Day,
    Event,
    Organisation,
    OrgKind,
    Participant,
    Role,
    directory_stamp,
)
from matchmaker.text import fold
from matchmaker.vocabulary import SECTORS, STAGES, TAGS

PER_PAGE = 20
# "match": the search's relevance, then how well each suits the reader (the
# suggestions' score); "name": A to Z; "newest": the latest registered first.
SORTS = ("match", "name", "newest")


@lru_cache(maxsize=50_000)
def _folded(text: str) -> str:
    return fold(text)


def _at_word_start(token: str, text: str) -> bool:
    """Whether ``token`` occurs in ``text`` at the start of a word: "dau" finds
    "đầu tư" (folded) but "au" does not."""
    at = text.find(token)
    while at >= 0:
        before = text[at - 1] if at else " "
        if not ("0" <= before <= "9" or "a" <= before <= "z"):
            return True
        at = text.find(token, at + 1)
    return False


def _labels(slugs: tuple[str, ...], vocabulary: dict[str, tuple[str, str]]) -> str:
    return " ".join(" ".join(vocabulary.get(s, (s, s))) for s in slugs)


@dataclass(frozen=True)
class SearchTexts:
    """What a search looks in, folded: everything (name, description, offers and
    seeks, tags in both languages and free text, sectors and province), the same
    without what the organisation seeks, and the name."""

    everything: str
    seek_free: str
    name: str


def search_texts(org: Organisation) -> SearchTexts:
    return _search_texts(
        org.name,
        org.description,
        org.offers_text,
        org.seeks_text,
        tuple(org.offers),
        tuple(org.seeks),
        tuple(org.sectors),
        org.province,
        org.name_folded,
    )


@lru_cache(maxsize=20_000)
def _search_texts(
    name: str,
    description: str,
    offers_text: str,
    seeks_text: str,
    offers: tuple[str, ...],
    seeks: tuple[str, ...],
    sectors: tuple[str, ...],
    province: str,
    name_folded: str,
) -> SearchTexts:
    # Remembered by content: every search reads every organisation's text again.
    offered, sectored = _labels(offers, TAGS), _labels(sectors, SECTORS)
    return SearchTexts(
        everything=_folded(
            " \n ".join((name, description, offers_text, seeks_text, offered,
                          _labels(seeks, TAGS), sectored, province))
        ),
        seek_free=_folded(
            " \n ".join((name, description, offers_text, "", offered, "", sectored, province))
        ),
        name=name_folded or _folded(name),
    )  # fmt: skip


# A match outside what the organisation seeks scores at least this much: "dau tu"
# finds the funds that offer investment and, after them, every startup seeking it.
BEYOND_SEEKS = 3


def match_score(org: Organisation, query: str) -> int:
    """0 when `org` does not match the folded `query` (every word must start a word
    of its text); 1 when it matches only in what the organisation seeks; more when
    it matches elsewhere (BEYOND_SEEKS), in the name, or with the words together."""
    return _match_score(search_texts(org), query)


def _match_score(texts: SearchTexts, query: str) -> int:
    tokens = query.split()
    if not tokens:
        return 1
    if not all(_at_word_start(t, texts.everything) for t in tokens):
        return 0
    score = 1
    if all(_at_word_start(t, texts.seek_free) for t in tokens):
        score += BEYOND_SEEKS - 1
    if query in texts.everything:
        score += 1
    if all(_at_word_start(t, texts.name) for t in tokens):
        score += 2
    return score


@dataclass
class DirectoryFilters:
    q: str = ""
    kind: str = ""
    sector: str = ""
    province: str = ""
    offers: str = ""
    seeks: str = ""
    day: int | None = None
    stage: str = ""
    sort: str = ""  # one of SORTS; "" is the most relevant first, then by name

    @property
    def active(self) -> bool:
        return (
            bool(
                self.q
                or self.kind
                or self.sector
                or self.province
                or self.offers
                or self.seeks
                or self.stage
            )
            or self.day is not None
        )

    @property
    def narrowing(self) -> int:
        """How many filters other than the search narrow the list (the phone's
        "Filters" button shows it)."""
        chosen = (self.kind, self.sector, self.province, self.offers, self.seeks, self.stage)
        return sum(1 for v in chosen if v) + (self.day is not None)

    def query_string(self, page: int | None = None) -> str:
        from urllib.parse import urlencode

        pairs = [
            (k, v)
            for k, v in (
                ("q", self.q),
                ("kind", self.kind),
                ("sector", self.sector),
                ("province", self.province),
                ("offers", self.offers),
                ("seeks", self.seeks),
                ("day", "" if self.day is None else str(self.day)),
                ("stage", self.stage),
                ("sort", self.sort),
                ("page", "" if page is None else str(page)),
            )
            if v
        ]
        return urlencode(pairs)


@dataclass(frozen=True)
class FilterOptions:
    kinds: list[str]
    sectors: list[str]
    provinces: list[str]
    tags: list[str]
    days: list[tuple[int, object]]  # (number, date)
    stages: list[str]


def filter_options(session: Session, event: Event) -> FilterOptions:
    provinces = session.exec(
        select(Organisation.province)
        .where(Organisation.event_id == event.id, col(Organisation.approved).is_(True))
        .distinct()
    ).all()
    # The days alone (not the whole slot grid): every directory page shows them.
    days = session.exec(
        select(col(Day.number), col(Day.on_date))
        .where(Day.event_id == event.id)
        .order_by(col(Day.number))
    ).all()
    return FilterOptions(
        kinds=[k.value for k in OrgKind],
        sectors=list(SECTORS),
        provinces=sorted((p for p in provinces if p), key=fold),
        tags=list(TAGS),
        days=[(number, on_date) for number, on_date in days],
        stages=list(STAGES),
    )


def _org_days(session: Session, grid: DayShape, org_ids: list[int]) -> dict[int, set[int]]:
    days: dict[int, set[int]] = {i: set() for i in org_ids}
    if not org_ids:
        return days
    for participant in session.exec(
        select(Participant).where(col(Participant.organisation_id).in_(org_ids))
    ):
        days[participant.organisation_id] |= present_day_numbers(grid, participant)
    return days


@dataclass(frozen=True)
class _Listed:
    """What the search reads of one organisation."""

    id: int
    sectors: tuple[str, ...]
    offers: tuple[str, ...]
    seeks: tuple[str, ...]
    created_at: datetime
    texts: SearchTexts

    @classmethod
    def of(cls, row: Sequence[Any]) -> _Listed:
        oid, name, name_folded, description, offers_text, seeks_text = row[:6]
        offers, seeks, sectors = (stored_tags(v) for v in row[6:9])
        province, created_at = row[9:]
        texts = _search_texts(
            name, description, offers_text, seeks_text, offers, seeks, sectors, province,
            name_folded,
        )  # fmt: skip
        return cls(oid, sectors, offers, seeks, created_at, texts)


@dataclass(frozen=True)
class DirectoryPage(Page[Organisation]):
    # With a search: how many of `total` match outside what they seek (they come
    # first); the others only seek what was searched for.
    beyond_seeks: int = 0


# What the search read of the latest events, states (models.DirectoryStamp) and filters.
_LISTED: Latest[tuple[int, str, str, str, str], tuple[_Listed, ...]] = Latest(32)


def _listed(session: Session, event: Event, filters: DirectoryFilters) -> list[_Listed]:
    """The approved organisations of the kind, province and stage filtered for, read
    again only when the event's organisations changed."""
    stamp = directory_stamp(session, event.id)
    if stamp is None or event.id is None:
        return _read_listed(session, event, filters)
    key = (event.id, stamp, filters.kind, filters.province, filters.stage)
    return list(_LISTED.get(key, lambda: tuple(_read_listed(session, event, filters))))


def _read_listed(session: Session, event: Event, filters: DirectoryFilters) -> list[_Listed]:
    # Plain columns for filtering and ranking (cheaper than ORM rows), the tag lists as
    # stored JSON text where the driver gives text (parsed once per distinct value);
    # only the shown page is loaded as Organisation objects.
    statement = select(  # type: ignore[call-overload]  # typed for at most four columns
        Organisation.id,
        Organisation.name,
        Organisation.name_folded,
        Organisation.description,
        Organisation.offers_text,
        Organisation.seeks_text,
        type_coerce(Organisation.offers, String),
        type_coerce(Organisation.seeks, String),
        type_coerce(Organisation.sectors, String),
        Organisation.province,
        Organisation.created_at,
    ).where(Organisation.event_id == event.id, col(Organisation.approved).is_(True))
    if filters.kind:
        statement = statement.where(Organisation.kind == OrgKind(filters.kind))
    if filters.province:
        statement = statement.where(Organisation.province == filters.province)
    if filters.stage:
        statement = statement.where(Organisation.stage == filters.stage)
    return [_Listed.of(row) for row in session.exec(statement)]


def search_organisations(
    session: Session,
    event: Event,
    filters: DirectoryFilters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    viewer: Organisation | None = None,
) -> DirectoryPage:
    """Approved organisations of `event` passing every filter in the order of
    `filters.sort` (the viewer's own organisation last), one page of them."""
    if filters.kind and filters.kind not in OrgKind.__members__:
        return DirectoryPage(items=[], total=0, page=1, per_page=per_page)
    candidates = _listed(session, event, filters)
    if filters.sector:
        candidates = [o for o in candidates if filters.sector in o.sectors]
    if filters.offers:
        candidates = [o for o in candidates if filters.offers in o.offers]
    if filters.seeks:
        candidates = [o for o in candidates if filters.seeks in o.seeks]
    if filters.day is not None:
        present = _org_days(session, day_shape(session, event), [o.id for o in candidates if o.id])
        candidates = [o for o in candidates if o.id and filters.day in present[o.id]]
    query = fold(filters.q)
    scored = [(_match_score(o.texts, query), o) for o in candidates]
    matched = [(s, o) for s, o in scored if s > 0]
    ranked = [o for _, o in sorted(matched, key=_order(session, event, filters, viewer))]
    total = len(ranked)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    shown = [o.id for o in ranked[start : start + per_page]]
    found = session.exec(select(Organisation).where(col(Organisation.id).in_(shown))).all()
    by_id = {o.id: o for o in found}
    return DirectoryPage(
        items=[by_id[i] for i in shown],
        total=total,
        page=page,
        per_page=per_page,
        beyond_seeks=sum(1 for s, _ in matched if s >= BEYOND_SEEKS) if query else total,
    )


def _order(
    session: Session, event: Event, filters: DirectoryFilters, viewer: Organisation | None
) -> Any:
    """The sort key of a (score, row) pair; the viewer's own organisation sorts last."""
    own = viewer.id if viewer is not None else None

    def name(row: _Listed) -> tuple[str, int]:
        return (row.texts.name, row.id)

    if filters.sort == "name":
        return lambda pair: (pair[1].id == own, name(pair[1]))
    if filters.sort == "newest":
        return lambda pair: (pair[1].id == own, -pair[1].created_at.timestamp(), pair[1].id)
    fit: dict[int, float] = {}
    if filters.sort == "match" and viewer is not None:
        fit = fit_values(session, event, viewer)
    return lambda pair: (
        pair[1].id == own,
        -pair[0],
        -round(fit.get(pair[1].id, 0.0), 9),
        name(pair[1]),
    )


@dataclass(frozen=True)
class PublicRepresentative:
    """What other participants may see of a representative: never email or phone."""

    id: int
    full_name: str
    title: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationPage:
    organisation: Organisation
    representatives: tuple[PublicRepresentative, ...]
    present_days: tuple[int, ...]
    is_own: bool


def viewer_organisation(session: Session, viewer: Account) -> Organisation | None:
    """The organisation a participant reads the directory for (None: an organiser)."""
    if viewer.participant_id is None:
        return None
    me = session.get(Participant, viewer.participant_id)
    return session.get(Organisation, me.organisation_id) if me else None


def organisation_page(
    session: Session, event: Event, viewer: Account, org_id: int
) -> OrganisationPage:
    """An organisation's public profile. Unapproved organisations are visible
    only to their own representatives and to organisers."""
    org = session.get(Organisation, org_id)
    mine = viewer_organisation(session, viewer)
    viewer_org_id = mine.id if mine else None
    is_own = org is not None and org.id == viewer_org_id
    if (
        org is None
        or org.event_id != event.id
        or (not org.approved and not is_own and viewer.role is not Role.organiser)
    ):
        raise NotFound(N_("No such organisation."))
    people = list(
        session.exec(
            select(Participant)
            .where(Participant.organisation_id == org.id)
            .order_by(col(Participant.id))
        )
    )
    grid = day_shape(session, event)
    days: set[int] = set()
    for person in people:
        days |= present_day_numbers(grid, person)
    return OrganisationPage(
        organisation=org,
        representatives=tuple(
            PublicRepresentative(
                id=p.id or 0,
                full_name=p.full_name,
                title=p.title,
                languages=tuple(p.languages),
            )
            for p in people
        ),
        present_days=tuple(sorted(days)),
        is_own=is_own,
    )
