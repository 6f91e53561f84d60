"""Recommendations: which organisations one should meet, and why.

The core is pure (no database): ``Corpus.build(profiles)`` turns every
organisation's profile into comparable features once (tag sets, sectors and
TF-IDF vectors over accent-folded word unigrams and bigrams of its free text),
and ``Corpus.rank(viewer_id, ...)`` scores the viewer against every candidate:

* what the viewer seeks against what the candidate offers (tags; the strongest
  signal), and the other way round (the candidate's needs the viewer can meet);
* tags mentioned only in the free text ("Đang tìm kiếm: vốn mồi, cố vấn")
  count too, with less weight than the ones ticked in the profile;
* shared sectors;
* cosine similarity of the texts: the viewer's seeks text against the
  candidate's offers text and description, the reverse, and the profiles as a
  whole (folded with ``matchmaker.text.fold`` so "dau tu" equals "đầu tư");
* complementary kinds (a startup and an investor, an agency and a tech firm).

Every signal that contributes leaves a ``Reason``: an English msgid with
parameters (tag and sector slugs, kinds, shared terms), put into words in the
reader's language by ``describe``.

``suggestions_for(session, event, organisation)`` is the service over the
database: it applies the organiser's rules on who may request whom and hides
the viewer's own organisation, unapproved organisations and every
organisation already in contact (a request in either direction that was not
withdrawn, or a meeting that was not cancelled).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import String, or_, type_coerce
from sqlmodel import Session, col, select

from matchmaker import i18n
from matchmaker.db import Latest
from matchmaker.demo.vocab import SECTORS, TAGS, sector_label, tag_label
from matchmaker.i18n import N_
from matchmaker.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Organisation,
    OrgKind,
    RequestStatus,
    directory_stamp,
)
from matchmaker.rules import rules_of
from matchmaker.text import fold

__all__ = [
    "Corpus",
    "Match",
    "Profile",
    "Reason",
    "Suggestion",
    "Weights",
    "describe",
    "kind_label",
    "profile_of",
    "suggestions_for",
]

# --- weights ---------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """How much each signal counts (``Corpus.with_weights`` for experiments)."""

    seek: float = 3.0  # per tag the viewer seeks and the candidate offers
    give: float = 2.0  # per tag the candidate seeks and the viewer offers
    implied: float = 0.6  # share of a tag's weight when it is only named in the text
    sector: float = 2.0  # per shared sector (as much as a need of theirs you can meet)
    text_seek: float = 3.0  # cosine(viewer's seeks text, candidate's offers and description)
    text_give: float = 1.5  # cosine(candidate's seeks text, viewer's offers and description)
    text_all: float = 2.0  # cosine of the whole profiles
    kind: float = 0.75  # complementary kinds


DEFAULT_WEIGHTS = Weights()
DECAY = 0.7  # the k-th matching tag (or sector) counts DECAY**k
FIT_HALF = 4.0  # score at which the displayed fit is 50 %

TEXT_REASON_MIN = 0.12  # cosine above which shared terms are given as a reason
MAX_REASON_ITEMS = 3

# Diversifying a short list (``Corpus.diversified``): maximal marginal relevance, where
# REDUNDANCY is the weight of a pick's likeness to those already picked (against
# 1 - REDUNDANCY for its own score) and KIND_SHARE the share of the list one kind may fill
# while other kinds are left; before that, every need the viewer stated gets the best
# candidate that meets it. POOL_PER_PICK candidates per place are considered.
REDUNDANCY = 0.35
KIND_SHARE = 0.3
POOL_PER_PICK = 4
SCORES_KEPT = 200_000  # scores a corpus remembers (Corpus.values), over its latest viewers
LISTS_KEPT = 1_000  # short lists a corpus remembers (Corpus.diversified)

# Kinds that usually have business with each other (unordered pairs).
COMPLEMENTARY: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("startup", "investor"),
        ("startup", "tech_firm"),
        ("startup", "agency"),
        ("startup", "university"),
        ("tech_firm", "agency"),
        ("tech_firm", "ocop"),
        ("ocop", "agency"),
        ("ocop", "association"),
        ("university", "tech_firm"),
        ("association", "tech_firm"),
    )
)

KIND_LABELS: dict[str, str] = {
    OrgKind.startup.value: N_("startup"),
    OrgKind.tech_firm.value: N_("technology firm"),
    OrgKind.investor.value: N_("investor"),
    OrgKind.agency.value: N_("government agency"),
    OrgKind.ocop.value: N_("OCOP producer"),
    OrgKind.university.value: N_("university or incubator"),
    OrgKind.association.value: N_("association"),
}

MSG_THEY_OFFER = N_("They offer %(tags)s, which you seek")
MSG_THEY_SEEK = N_("They seek %(tags)s, which you offer")
MSG_SECTORS = N_("Both work in %(sectors)s")
MSG_TEXT_SEEK = N_("What they offer matches what you seek: %(terms)s")
MSG_TEXT_GIVE = N_("What they seek matches what you offer: %(terms)s")
MSG_TEXT_ALL = N_("Your profiles speak of %(terms)s")
MSG_KINDS = N_("Complementary roles: %(theirs)s and %(yours)s")
MSG_AND = N_("%(items)s and %(last)s")
MSG_ALSO_OFFER = N_("Unlike the suggestions above, they also offer %(tags)s")

# --- text ------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
# Function words that carry no topic. Vietnamese ones are matched with their
# diacritics, since folding makes some of them collide with content words
# ("tư" of "đầu tư" and "từ", "cung" of "cung cấp" and "cũng", "trồng" and
# "trong", "cua" and "của"); only the unambiguous ones are also dropped when
# written without diacritics.
STOPWORDS: frozenset[str] = frozenset((
    "và", "của", "cho", "các", "trong", "là", "có", "được", "với", "tại", "những", "một",
    "để", "đến", "về", "theo", "như", "này", "khi", "đã", "đang", "sẽ", "rất", "cũng",
    "hoặc", "từ", "thể", "nhiều", "mọi", "chúng", "tôi", "quý",
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in",
    "into", "is", "it", "its", "of", "on", "or", "our", "that", "the", "their", "they",
    "this", "to", "we", "with", "you", "your",
))
STOPWORDS_FOLDED: frozenset[str] = frozenset((
    "va", "cac", "nhung", "voi", "mot", "nay", "rat", "hoac", "toi",
))


_SEGMENT = re.compile(r"[^\w\s]+", re.UNICODE)


@lru_cache(maxsize=50_000)
def _fold_word(word: str) -> str:
    return fold(word)


def _is_stop(folded: str, surface: str) -> bool:
    return (
        len(folded) < 2
        or surface in STOPWORDS
        or folded in STOPWORDS_FOLDED
        or folded.isdigit()
        or "_" in folded
    )


def segments(text: str) -> list[list[tuple[str, str]]]:
    """Runs of (folded, surface) content words of ``text``: punctuation and stop
    words end a run, so word pairs never bridge "bao bì, nhãn hiệu"."""
    runs: list[list[tuple[str, str]]] = []
    for part in _SEGMENT.split(text.lower()):
        run: list[tuple[str, str]] = []
        for match in _WORD.finditer(part):
            surface = match.group(0)
            folded = _fold_word(surface)
            if _is_stop(folded, surface):
                if run:
                    runs.append(run)
                run = []
                continue
            run.append((folded, surface))
        if run:
            runs.append(run)
    return runs


@dataclass(frozen=True)
class Analysed:
    """A text reduced to what the recommender compares (treat as read-only)."""

    counts: dict[str, int]  # folded unigrams and bigrams
    weights: dict[str, float]  # their term frequency weights, 1 + log(count)
    surface: dict[str, str]  # a spelling of each term as written
    folded: str  # " | "-separated runs of folded words, padded with spaces


@lru_cache(maxsize=20_000)
def analyse(text: str) -> Analysed:
    """Unigram and bigram counts of the folded text, and a surface form for each
    (cached: profile texts repeat across calls)."""
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    runs = segments(text)
    for run in runs:
        for i, (folded, shown) in enumerate(run):
            counts[folded] += 1
            surface.setdefault(folded, shown)
            if i + 1 < len(run):
                nxt_folded, nxt_shown = run[i + 1]
                bigram = f"{folded} {nxt_folded}"
                counts[bigram] += 1
                surface.setdefault(bigram, f"{shown} {nxt_shown}")
    joined = " | ".join(" ".join(w for w, _ in run) for run in runs)
    weights = {t: 1.0 + math.log(c) for t, c in counts.items()}
    return Analysed(dict(counts), weights, surface, f" {joined} ")


Vector = dict[str, float]


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two L2-normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def _phrases() -> list[tuple[str, str]]:
    """(folded phrase, tag) for every tag label part, in both languages."""
    out: list[tuple[str, str]] = []
    for tag, labels in TAGS.items():
        for label in labels:
            for run in segments(label):
                phrase = " ".join(w for w, _ in run)
                if len(phrase) >= 4 and (" " in phrase or len(phrase) >= 6):
                    out.append((phrase, tag))
    return out


_TAG_PHRASES = _phrases()


@lru_cache(maxsize=20_000)
def implied_tags(text: str) -> frozenset[str]:
    """Tags whose label (or a part of it between commas) the text names."""
    if not text:
        return frozenset()
    folded = analyse(text).folded
    return frozenset(tag for phrase, tag in _TAG_PHRASES if f" {phrase} " in folded)


# --- profiles and reasons --------------------------------------------------


class Profile(NamedTuple):
    """What the recommender knows of an organisation (a tuple: cheap to hash and
    compare, which the memoised corpus relies on)."""

    id: int
    name: str
    kind: str
    sectors: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    seeks: tuple[str, ...] = ()
    description: str = ""
    offers_text: str = ""
    seeks_text: str = ""


def profile_of(org: Organisation) -> Profile:
    assert org.id is not None
    return Profile(
        id=org.id,
        name=org.name,
        kind=org.kind.value if isinstance(org.kind, OrgKind) else str(org.kind),
        sectors=tuple(str(s) for s in org.sectors or ()),
        offers=tuple(str(t) for t in org.offers or ()),
        seeks=tuple(str(t) for t in org.seeks or ()),
        description=org.description or "",
        offers_text=org.offers_text or "",
        seeks_text=org.seeks_text or "",
    )


@dataclass(frozen=True)
class Reason:
    """One reason in words: an English msgid and its parameters.

    ``params`` holds ``(name, vocabulary, values)``; the vocabulary says how the
    values are shown: "tag" and "sector" slugs get their label in the reader's
    language, "kind" an organisation kind, "term" a quoted word from the texts.
    """

    code: str
    msgid: str
    params: tuple[tuple[str, str, tuple[str, ...]], ...]
    weight: float


@dataclass(frozen=True)
class Match:
    profile: Profile
    score: float
    reasons: tuple[Reason, ...]

    @property
    def fit(self) -> int:
        """The score as a percentage for display (50 % at FIT_HALF)."""
        return round(100 * self.score / (self.score + FIT_HALF)) if self.score > 0 else 0


def _label(vocabulary: str, value: str, locale: str, gettext: Callable[[str], str]) -> str:
    if vocabulary == "tag":
        return tag_label(value, locale) if value in TAGS else value.replace("_", " ")
    if vocabulary == "sector":
        return sector_label(value, locale) if value in SECTORS else value.replace("_", " ")
    if vocabulary == "kind":
        return gettext(KIND_LABELS.get(value, value))
    return f"“{value}”"


def describe(reason: Reason, locale: str = "vi") -> str:
    """The reason as a sentence in ``locale``."""
    gettext = i18n.translations(locale).gettext
    values: dict[str, str] = {}
    for name, vocabulary, items in reason.params:
        labels = [_label(vocabulary, v, locale, gettext) for v in items]
        if len(labels) > 1:
            # Labels may hold commas themselves ("đào tạo, tập huấn").
            separator = "; " if any("," in label for label in labels) else ", "
            values[name] = gettext(MSG_AND) % {
                "items": separator.join(labels[:-1]),
                "last": labels[-1],
            }
        else:
            values[name] = labels[0] if labels else ""
    return gettext(reason.msgid) % values


# --- the corpus ------------------------------------------------------------


@dataclass
class _Features:
    profile: Profile
    seeks: frozenset[str]
    offers: frozenset[str]
    seeks_all: frozenset[str]  # ticked or named in the text
    offers_all: frozenset[str]
    sectors: frozenset[str]
    seek_vec: Vector
    offer_vec: Vector
    all_vec: Vector
    surface: dict[str, str]
    sort_key: tuple[str, int]
    traits: frozenset[str]  # what it offers and its sectors, for telling picks apart


def _said(tags: Iterable[str]) -> frozenset[str]:
    """The folded words of the labels of ``tags``, for leaving them out of term lists."""
    return frozenset(
        w for t in tags for label in TAGS.get(t, (t,)) for run in segments(label) for w, _ in run
    )


_DECAYED = [sum(DECAY**k for k in range(n)) for n in range(64)]


def _decayed(n: int) -> float:
    return _DECAYED[n] if n < len(_DECAYED) else _DECAYED[-1]


def _tag_value(
    weight: float, implied: float, explicit: frozenset[str], every: frozenset[str]
) -> float:
    """Ticked tags count fully, tags only named in the text ``implied`` as much."""
    base = _DECAYED[min(len(explicit), 63)]
    return weight * (base + implied * (_DECAYED[min(len(every), 63)] - base))


def _vector(tf: Mapping[str, float], idf: Mapping[str, float]) -> Vector:
    weights = {t: w * idf[t] for t, w in tf.items() if t in idf}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def _shared_terms(
    a: Vector, b: Vector, surface_a: dict[str, str], surface_b: dict[str, str],
    keep: Callable[[str], bool],
) -> tuple[str, ...]:
    """The kept terms contributing most to cosine(a, b), as written."""
    shared = sorted(
        ((a[t] * b[t], t) for t in a.keys() & b.keys() if keep(t)),
        key=lambda x: (-x[0], x[1]),
    )
    out = []
    for _, term in shared[:MAX_REASON_ITEMS]:
        shown_a, shown_b = surface_a.get(term, term), surface_b.get(term, term)
        # Prefer the spelling with diacritics when one side wrote without them.
        out.append(shown_a if not shown_a.isascii() or shown_b.isascii() else shown_b)
    return tuple(out)


MAX_DF = 0.5  # terms in more than this share of the profiles are ignored (from 20 on)


def _merged(*parts: Analysed) -> tuple[dict[str, float], dict[str, str]]:
    """Term weights (1 + log count) and spellings of several texts taken together."""
    if len(parts) == 1:
        return parts[0].weights, parts[0].surface
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for part in parts:
        counts.update(part.counts)
        for term, shown in part.surface.items():
            surface.setdefault(term, shown)
    return {t: 1.0 + math.log(c) for t, c in counts.items()}, surface


def _build(profiles: tuple[Profile, ...]) -> Corpus:
    parsed = []
    df: Counter[str] = Counter()
    for p in profiles:
        seek, offer, about = analyse(p.seeks_text), analyse(p.offers_text), analyse(p.description)
        offer_weights, _ = _merged(offer, about)
        whole_weights, surface = _merged(seek, offer, about)
        df.update(whole_weights.keys())
        parsed.append((p, seek.weights, offer_weights, whole_weights, surface))
    n = len(profiles)
    ceiling = MAX_DF * n if n >= 20 else n
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items() if d <= ceiling}
    corpus = Corpus(idf=idf, size=n)
    for p, seek_weights, offer_weights, whole_weights, surface in parsed:
        seeks, offers = frozenset(p.seeks), frozenset(p.offers)
        offers_all = offers | implied_tags(p.offers_text)
        corpus.features[p.id] = _Features(
            profile=p,
            seeks=seeks,
            offers=offers,
            seeks_all=seeks | implied_tags(p.seeks_text),
            offers_all=offers_all,
            sectors=frozenset(p.sectors),
            seek_vec=_vector(seek_weights, idf),
            offer_vec=_vector(offer_weights, idf),
            all_vec=_vector(whole_weights, idf),
            surface=surface,
            sort_key=(fold(p.name), p.id),
            traits=offers_all | {f"sector:{x}" for x in p.sectors},
        )
    return corpus


_build = lru_cache(maxsize=2)(_build)  # an event's corpus is large: keep few


@dataclass
class Corpus:
    """Features of every profile of an event, computed once per call."""

    features: dict[int, _Features] = field(default_factory=dict)

    idf: dict[str, float] = field(default_factory=dict)
    size: int = 0
    weights: Weights = DEFAULT_WEIGHTS
    _index: tuple[dict[str, list[tuple[int, float]]], ...] | None = None
    # Viewers' scores against everyone, once computed (the corpus never changes;
    # with_weights makes another corpus, with a cache of its own): the latest viewers',
    # SCORES_KEPT scores in all (every viewer of a demo-sized event, 60-odd at 3,000).
    _scores: OrderedDict[int, dict[int, float]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    # Short lists made (``diversified``), by viewer, candidates and length: the latest
    # LISTS_KEPT (a list changes only when its candidates do, a request made or withdrawn).
    _lists: OrderedDict[tuple[int, tuple[int, ...], int], list[Match]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )

    @classmethod
    def build(cls, profiles: Iterable[Profile]) -> Corpus:
        """Features of ``profiles`` (memoised: an unchanged event is not redone)."""
        return _build(tuple(profiles))

    def distinctive(self, term: str) -> bool:
        """Whether ``term`` says something about a pair: a word pair that few
        profiles use (boilerplate such as "đang tìm kiếm" is common)."""
        if " " not in term:
            return False
        return self.size < 20 or self.idf.get(term, 0.0) >= math.log((1 + self.size) / 8) + 1.0

    def value(self, viewer_id: int, candidate_id: int) -> float:
        """The score alone, for one pair."""
        me, them = self.features[viewer_id], self.features[candidate_id]
        return self._value(
            me, them,
            cosine(me.seek_vec, them.offer_vec),
            cosine(them.seek_vec, me.offer_vec),
            cosine(me.all_vec, them.all_vec),
        )

    def _value(self, me: _Features, them: _Features, seek: float, give: float,
               whole: float) -> float:
        w = self.weights
        score = _tag_value(w.seek, w.implied, me.seeks & them.offers,
                           me.seeks_all & them.offers_all)
        score += _tag_value(w.give, w.implied, them.seeks & me.offers,
                            them.seeks_all & me.offers_all)
        score += w.sector * _DECAYED[min(len(me.sectors & them.sectors), 63)]
        score += w.text_seek * max(0.0, seek) + w.text_give * max(0.0, give)
        score += w.text_all * max(0.0, whole)
        if frozenset((me.profile.kind, them.profile.kind)) in COMPLEMENTARY:
            score += w.kind
        return score

    def with_weights(self, weights: Weights) -> Corpus:
        """The same features scored with other weights (shares the features)."""
        return replace(self, weights=weights)

    def _postings(self) -> tuple[dict[str, list[tuple[int, float]]], ...]:
        """Inverted indexes of the offers, seeks and whole-profile vectors."""
        if self._index is None:
            offer: dict[str, list[tuple[int, float]]] = {}
            seek: dict[str, list[tuple[int, float]]] = {}
            whole: dict[str, list[tuple[int, float]]] = {}
            for fid, f in self.features.items():
                for index, vec in ((offer, f.offer_vec), (seek, f.seek_vec), (whole, f.all_vec)):
                    for term, weight in vec.items():
                        index.setdefault(term, []).append((fid, weight))
            self._index = (offer, seek, whole)
        return self._index

    def values(self, viewer_id: int, candidates: Iterable[int]) -> dict[int, float]:
        """Scores of many candidates at once (the viewer left out)."""
        scores = self._scores.get(viewer_id)
        if scores is None:
            scores = self._scores[viewer_id] = self._all_values(viewer_id)
            while len(self._scores) > max(1, SCORES_KEPT // max(1, len(self.features))):
                self._scores.popitem(last=False)
        else:
            self._scores.move_to_end(viewer_id)
        return {cid: scores[cid] for cid in candidates if cid != viewer_id}

    def _all_values(self, viewer_id: int) -> dict[int, float]:
        """The viewer's score against every profile: the text similarities come from
        the inverted indexes, so pairs without a shared term cost nothing."""
        me = self.features[viewer_id]
        offer_index, seek_index, whole_index = self._postings()
        sims: list[dict[int, float]] = []
        for vec, index in (
            (me.seek_vec, offer_index),
            (me.offer_vec, seek_index),
            (me.all_vec, whole_index),
        ):
            acc: dict[int, float] = {}
            for term, weight in vec.items():
                for fid, other in index.get(term, ()):
                    acc[fid] = acc.get(fid, 0.0) + weight * other
            sims.append(acc)
        seek_sims, give_sims, whole_sims = sims
        return {
            cid: self._value(
                me, them,
                seek_sims.get(cid, 0.0), give_sims.get(cid, 0.0), whole_sims.get(cid, 0.0),
            )
            for cid, them in self.features.items()
            if cid != viewer_id
        }

    def score(self, viewer_id: int, candidate_id: int, value: float | None = None) -> Match:
        """How well the candidate fits the viewer, with the reasons (strongest first)."""
        me, them = self.features[viewer_id], self.features[candidate_id]
        w = self.weights
        reasons: list[Reason] = []
        for code, msgid, weight, needs, needs_all, has, has_all in (
            ("they_offer", MSG_THEY_OFFER, w.seek, me.seeks, me.seeks_all, them.offers,
             them.offers_all),
            ("they_seek", MSG_THEY_SEEK, w.give, them.seeks, them.seeks_all, me.offers,
             me.offers_all),
        ):
            explicit = needs & has
            every = needs_all & has_all
            if every:
                shown = (sorted(explicit) + sorted(every - explicit))[:MAX_REASON_ITEMS]
                strength = _tag_value(weight, w.implied, explicit, every)
                reasons.append(Reason(code, msgid, (("tags", "tag", tuple(shown)),), strength))

        sectors = sorted(me.sectors & them.sectors)
        if sectors:
            reasons.append(Reason(
                "sectors", MSG_SECTORS,
                (("sectors", "sector", tuple(sectors[:MAX_REASON_ITEMS])),),
                w.sector * _decayed(len(sectors)),
            ))

        said = _said(t for r in reasons if r.code.startswith("they_") for t in r.params[0][2])

        def keep(term: str) -> bool:
            return self.distinctive(term) and not said.issuperset(term.split(" "))

        for code, msgid, weight, a, b in (
            ("text_seek", MSG_TEXT_SEEK, w.text_seek, me.seek_vec, them.offer_vec),
            ("text_give", MSG_TEXT_GIVE, w.text_give, them.seek_vec, me.offer_vec),
            ("text_all", MSG_TEXT_ALL, w.text_all, me.all_vec, them.all_vec),
        ):
            similarity = cosine(a, b)
            if similarity < TEXT_REASON_MIN:
                continue
            shown_terms = _shared_terms(a, b, me.surface, them.surface, keep)
            if shown_terms:
                reasons.append(Reason(code, msgid, (("terms", "term", shown_terms),),
                                      weight * similarity))
                break  # one sentence about the texts is enough

        if frozenset((me.profile.kind, them.profile.kind)) in COMPLEMENTARY:
            reasons.append(Reason(
                "kinds", MSG_KINDS,
                (("theirs", "kind", (them.profile.kind,)), ("yours", "kind", (me.profile.kind,))),
                w.kind,
            ))
        reasons.sort(key=lambda r: -r.weight)
        if value is None:
            value = self.value(viewer_id, candidate_id)
        return Match(them.profile, value, tuple(reasons))

    def rank(
        self,
        viewer_id: int,
        candidates: Iterable[int] | None = None,
        *,
        limit: int | None = None,
        keep_zero: bool = False,
    ) -> list[Match]:
        """Candidates (default: everyone else) best first; ties by name, then id.
        Only the returned matches are explained."""
        ids = self.features.keys() if candidates is None else candidates
        scored = [(v, cid) for cid, v in self.values(viewer_id, ids).items()]
        if not keep_zero:
            scored = [(v, cid) for v, cid in scored if v > 0]
        scored.sort(key=lambda x: (-round(x[0], 9), self.features[x[1]].sort_key))
        chosen = scored[:limit] if limit is not None else scored
        return [self.score(viewer_id, cid, v) for v, cid in chosen]


    def diversified(
        self, viewer_id: int, candidates: Iterable[int] | None = None, *, limit: int
    ) -> list[Match]:
        """At most ``limit`` candidates that cover what the viewer needs (see
        ``_diversified``), remembered: the corpus and so the answer never change."""
        ids = tuple(self.features.keys() if candidates is None else candidates)
        key = (viewer_id, ids, limit)
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = self._diversified(viewer_id, ids, limit=limit)
            while len(self._lists) > LISTS_KEPT:
                self._lists.popitem(last=False)
        else:
            self._lists.move_to_end(key)
        return list(found)

    def _diversified(self, viewer_id: int, ids: Iterable[int], *, limit: int) -> list[Match]:
        """At most ``limit`` candidates that together cover what the viewer needs,
        rather than the ``limit`` best scores (often one kind with one reason):

        1. every tag the viewer seeks (ticked first, then named in its text) that some
           candidate offers gets the best-scoring such candidate;
        2. the rest by maximal marginal relevance over the best candidates: the score
           (relative to the best) less its likeness to the picks so far (kind, what it
           offers, sectors), one kind filling at most KIND_SHARE of the list while
           candidates of other kinds remain (then one more each, in turn);
        3. the picks in that same order (the best score first), each with its reasons.
        """
        scored = sorted(
            ((v, cid) for cid, v in self.values(viewer_id, ids).items() if v > 0),
            key=lambda x: (-round(x[0], 9), self.features[x[1]].sort_key),
        )
        if limit <= 0 or not scored:
            return []
        value = {cid: v for v, cid in scored}
        me = self.features[viewer_id]
        mmr = _Relevance(self.features, value, scored[0][0])
        picked: list[int] = []

        # 1. Cover the stated needs, the ticked ones first.
        for need in sorted(me.seeks) + sorted(me.seeks_all - me.seeks):
            if len(picked) >= limit:
                break
            if any(need in self.features[p].offers_all for p in picked):
                continue
            meeting = [cid for _, cid in scored if need in self.features[cid].offers_all]
            if meeting:
                picked.append(meeting[0])

        # 2. Fill up by maximal marginal relevance, one kind at most KIND_SHARE of the list.
        pool = [cid for _, cid in scored[: max(limit * POOL_PER_PICK, 40)] if cid not in picked]
        for p in picked:
            mmr.picked(p, pool)
        per_kind = max(1, math.ceil(limit * KIND_SHARE))
        while len(picked) < limit and pool:
            kinds = Counter(self.features[p].profile.kind for p in picked)
            while not (
                open_kinds := [c for c in pool if kinds[self.features[c].profile.kind] < per_kind]
            ):
                per_kind += 1  # every kind left is at its share: each may take one more
            choice = mmr.take(open_kinds)
            picked.append(choice)
            pool.remove(choice)
            mmr.picked(choice, pool)

        # 3. Show them in marginal-relevance order among themselves: the best first.
        chosen, picked = picked, []
        mmr = _Relevance(self.features, value, scored[0][0])
        while chosen:
            choice = mmr.take(chosen)
            picked.append(choice)
            chosen.remove(choice)
            mmr.picked(choice, chosen)
        return self._told_apart(viewer_id, [self.score(viewer_id, c, value[c]) for c in picked])

    def _told_apart(self, viewer_id: int, matches: list[Match]) -> list[Match]:
        """Each match after the first also says what it brings that no match above it
        offers (besides what the viewer asked for): similar cards read differently."""
        me = self.features[viewer_id]
        seen: set[str] = set()
        told: list[Match] = []
        for number, match in enumerate(matches):
            offers = self.features[match.profile.id].offers
            new = sorted(offers - seen - me.seeks_all)[:2]
            seen |= offers
            if number and new:
                extra = Reason("also_offer", MSG_ALSO_OFFER, (("tags", "tag", tuple(new)),), 0.0)
                match = replace(match, reasons=(*match.reasons, extra))
            told.append(match)
        return told


class _Relevance:
    """Maximal marginal relevance for ``Corpus.diversified``: a candidate's score
    (relative to the best) less its likeness to the closest pick so far (kind, what it
    offers, sectors). That likeness is kept up to date as picks are made, the same
    maximum as over every pick without computing it again for each choice."""

    def __init__(self, features: dict[int, _Features], value: dict[int, float], best: float):
        self.features, self.value, self.best = features, value, best
        self.redundancy: dict[int, float] = {}

    def likeness(self, a: int, b: int) -> float:
        fa, fb = self.features[a], self.features[b]
        union = len(fa.traits | fb.traits)
        shared = len(fa.traits & fb.traits) / union if union else 1.0
        return 0.4 * (fa.profile.kind == fb.profile.kind) + 0.6 * shared

    def picked(self, choice: int, rest: Iterable[int]) -> None:
        """``choice`` was picked: the likeness of each of ``rest`` to the picks grows."""
        for c in rest:
            self.redundancy[c] = max(self.redundancy.get(c, 0.0), self.likeness(c, choice))

    def marginal(self, cid: int) -> float:
        relevance = (1 - REDUNDANCY) * self.value[cid] / self.best
        return relevance - REDUNDANCY * self.redundancy.get(cid, 0.0)

    def take(self, pool: Sequence[int]) -> int:
        """The best of ``pool`` by marginal relevance; ties by score, then name and id."""
        return min(
            pool, key=lambda c: (-self.marginal(c), -self.value[c], self.features[c].sort_key)
        )


# --- the service -----------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    score: float
    fit: int
    reasons: tuple[Reason, ...]


def contacted_ids(session: Session, event: Event, organisation: Organisation) -> set[int]:
    """Organisations already in contact with ``organisation``: a request in either
    direction that was not withdrawn, or a meeting that was not cancelled."""
    org_id = organisation.id
    contacted: set[int] = set()
    requests = session.exec(
        select(MeetingRequest.from_org_id, MeetingRequest.to_org_id).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status != RequestStatus.withdrawn,
            or_(
                col(MeetingRequest.from_org_id) == org_id,
                col(MeetingRequest.to_org_id) == org_id,
            ),
        )
    ).all()
    for a, b in requests:
        contacted.update((a, b))
    meetings = session.exec(
        select(Meeting.org_a_id, Meeting.org_b_id).where(
            Meeting.event_id == event.id,
            Meeting.status != MeetingStatus.cancelled,
            or_(col(Meeting.org_a_id) == org_id, col(Meeting.org_b_id) == org_id),
        )
    ).all()
    for a, b in meetings:
        contacted.update((a, b))
    contacted.discard(org_id)  # type: ignore[arg-type]
    return contacted


def suggestions_for(
    session: Session,
    event: Event,
    organisation: Organisation,
    *,
    limit: int | None = 20,
    kind: OrgKind | None = None,
) -> list[Suggestion]:
    """Organisations ``organisation`` may still request, best fit first (at most
    ``limit``, diversified: see ``Corpus.diversified``).

    The same conditions as ``matchmaker.rules.may_request`` (both approved, an
    allowed pair of kinds), with the rules read once for all candidates."""
    assert organisation.id is not None
    if not organisation.approved or organisation.event_id != event.id:
        return []
    rules = rules_of(event)
    mine = OrgKind(organisation.kind)
    allowed = {k.value for k in OrgKind if rules.may_request_kind(mine, k)}
    if kind is not None:
        allowed &= {kind.value}
    profiles = _event_profiles(session, event)
    hidden = contacted_ids(session, event, organisation)
    candidates = [
        p.id
        for p in profiles
        if p.id != organisation.id and p.id not in hidden and p.kind in allowed
    ]
    corpus = Corpus.build(profiles)
    # A short list is diversified (every stated need, several kinds); the whole list,
    # asked for with limit=None, is plainly by score.
    ranked = (
        corpus.rank(organisation.id, candidates)
        if limit is None
        else corpus.diversified(organisation.id, candidates, limit=limit)
    )
    ids = [m.profile.id for m in ranked]
    found = session.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    by_id = {o.id: o for o in found}
    return [
        Suggestion(by_id[m.profile.id], round(m.score, 3), m.fit, m.reasons) for m in ranked
    ]


def fit_values(session: Session, event: Event, organisation: Organisation) -> dict[int, float]:
    """How well every other approved organisation suits ``organisation`` (the
    suggestions' score, 0 for nothing in common), for the directory's "best match"."""
    profiles = _event_profiles(session, event)
    if organisation.id is None or all(p.id != organisation.id for p in profiles):
        return {}
    corpus = Corpus.build(profiles)
    return corpus.values(organisation.id, (p.id for p in profiles))


# The approved organisations' profiles of the latest events and states read.
_PROFILES: Latest[tuple[int, str], tuple[Profile, ...]] = Latest(4)


def _event_profiles(session: Session, event: Event) -> list[Profile]:
    """The approved organisations' profiles, read again only when the event's
    organisations changed (models.DirectoryStamp)."""
    stamp = directory_stamp(session, event.id)
    if stamp is None or event.id is None:
        return _read_profiles(session, event)
    return list(_PROFILES.get((event.id, stamp), lambda: tuple(_read_profiles(session, event))))


def _read_profiles(session: Session, event: Event) -> list[Profile]:
    # Plain columns, not ORM objects: thousands of rows are read on every call.
    # The tag lists come as stored JSON text where the driver gives text (SQLite), parsed
    # once per distinct value (stored_tags): most organisations share a few lists.
    columns = select(  # type: ignore[call-overload]  # typed for at most four columns
        Organisation.id, Organisation.name, Organisation.kind,
        type_coerce(Organisation.sectors, String), type_coerce(Organisation.offers, String),
        type_coerce(Organisation.seeks, String), Organisation.description,
        Organisation.offers_text, Organisation.seeks_text,
    )
    rows: Sequence[Sequence[Any]] = session.exec(
        columns.where(Organisation.event_id == event.id, col(Organisation.approved).is_(True))
    ).all()
    return [_row_profile(row) for row in rows]


def stored_tags(value: Any) -> tuple[str, ...]:
    """A JSON list column's value as a tuple of strings (stored text or a list)."""
    if isinstance(value, str):
        return _parsed_tags(value)
    return tuple(str(t) for t in value or ())


@lru_cache(maxsize=20_000)
def _parsed_tags(text: str) -> tuple[str, ...]:
    return tuple(str(t) for t in json.loads(text) or ())


def _row_profile(row: Sequence[Any]) -> Profile:
    oid, name, kind, sectors, offers, seeks, description, offers_text, seeks_text = row
    return Profile(
        id=oid,
        name=name,
        kind=kind.value if isinstance(kind, OrgKind) else str(kind),
        sectors=stored_tags(sectors),
        offers=stored_tags(offers),
        seeks=stored_tags(seeks),
        description=description or "",
        offers_text=offers_text or "",
        seeks_text=seeks_text or "",
    )


def reason_texts(reasons: Sequence[Reason], locale: str) -> list[str]:
    return [describe(r, locale) for r in reasons]


def kind_label(kind: str, locale: str) -> str:
    """One organisation's kind in words ("Investor", "Quỹ đầu tư")."""
    text = i18n.translations(locale).gettext(KIND_LABELS.get(kind, kind))
    return text[:1].upper() + text[1:]
