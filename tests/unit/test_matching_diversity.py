"""The short list of suggestions is diverse: every stated need, several kinds, varied
reasons (``Corpus.diversified``; pure: profiles in, matches out)."""

from __future__ import annotations

from collections import Counter

import pytest

from matchmaker.matching import Corpus, Profile, describe

pytestmark = pytest.mark.unit

NEEDS = ("trade_promotion", "export_partner", "ecommerce_platform", "distribution")


def cooperative() -> Profile:
    """A new OCOP co-operative: agritech, seeks four things."""
    return Profile(1, "HTX Khóm Cầu Đúc", "ocop", sectors=("agritech",), seeks=NEEDS)


def startups(count: int, first_id: int = 10) -> list[Profile]:
    """Near-identical startups that score well: same sector, one of the needs."""
    return [
        Profile(
            first_id + i,
            f"Agri Startup {i:02d}",
            "startup",
            sectors=("agritech", "ecommerce"),
            offers=("ecommerce_platform", "iot_solutions"),
        )
        for i in range(count)
    ]


def promotion_centre() -> Profile:
    return Profile(2, "Trung tâm Xúc tiến Thương mại", "agency", offers=("trade_promotion",))


def exporter() -> Profile:
    return Profile(3, "Công ty Xuất khẩu Mê Kông", "tech_firm", offers=("export_partner",))


def test_diversified_covers_every_need_a_candidate_meets() -> None:
    c = Corpus.build([cooperative(), *startups(12), promotion_centre(), exporter()])
    plain = [m.profile.id for m in c.rank(1, limit=10)]
    assert 2 not in plain and 3 not in plain  # the top ten by score: startups only
    picked = [m.profile.id for m in c.diversified(1, limit=10)]
    assert {2, 3} <= set(picked)
    assert len(picked) == 10


def test_diversified_covers_needs_even_in_a_short_list() -> None:
    c = Corpus.build([cooperative(), *startups(12), promotion_centre(), exporter()])
    picked = {m.profile.id for m in c.diversified(1, limit=3)}
    assert {2, 3} <= picked


def test_diversified_keeps_one_kind_to_a_share_while_others_are_left() -> None:
    investors = [Profile(50 + i, f"Fund {i}", "investor", sectors=("agritech",)) for i in range(5)]
    c = Corpus.build([cooperative(), *startups(12), *investors])
    kinds = Counter(m.profile.kind for m in c.diversified(1, limit=10))
    assert kinds == {"startup": 5, "investor": 5}  # 3 each, then one more each in turn


def test_diversified_fills_with_one_kind_when_there_is_no_other() -> None:
    c = Corpus.build([cooperative(), *startups(12)])
    assert [m.profile.kind for m in c.diversified(1, limit=6)] == ["startup"] * 6


def test_diversified_puts_the_best_score_first() -> None:
    c = Corpus.build([cooperative(), *startups(12), promotion_centre(), exporter()])
    best = c.rank(1, limit=1)[0]
    assert c.diversified(1, limit=5)[0].profile.id == best.profile.id


def test_diversified_prefers_unlike_candidates_over_near_copies() -> None:
    twins = startups(3)
    different = Profile(
        40,
        "Logistics Startup",
        "startup",
        sectors=("agritech",),
        offers=("ecommerce_platform", "logistics_services"),
    )
    c = Corpus.build([cooperative(), *twins, different])
    assert [m.profile.id for m in c.rank(1, limit=2)] == [10, 11]  # same score, by name
    picked = [m.profile.id for m in c.diversified(1, limit=2)]
    assert picked == [10, 40]


def test_diversified_tells_similar_cards_apart_by_what_they_add() -> None:
    c = Corpus.build(
        [
            cooperative(),
            Profile(2, "A", "startup", offers=("ecommerce_platform", "traceability")),
            Profile(3, "B", "tech_firm", offers=("ecommerce_platform", "logistics_services")),
        ]
    )
    first, second = c.diversified(1, limit=2)
    assert (first.profile.name, second.profile.name) == ("B", "A")  # B: complementary kinds
    assert "also_offer" not in [r.code for r in first.reasons]
    assert describe(second.reasons[-1], "en") == (
        "Unlike the suggestions above, they also offer traceability"
    )
    assert describe(second.reasons[-1], "vi") == (
        "Khác với các gợi ý phía trên, họ còn cung cấp truy xuất nguồn gốc"
    )


def test_diversified_scores_are_the_plain_scores_and_nothing_scoreless() -> None:
    nobody = Profile(99, "Nothing in common", "ocop")
    c = Corpus.build([cooperative(), *startups(4), promotion_centre(), nobody])
    found = c.diversified(1, limit=10)
    assert 99 not in [m.profile.id for m in found]
    assert all(m.score == pytest.approx(c.value(1, m.profile.id)) for m in found)
    assert c.diversified(1, limit=0) == []
    assert c.diversified(1, [99], limit=5) == []


def test_diversified_remembered_list_is_what_a_fresh_corpus_makes() -> None:
    profiles = [cooperative(), promotion_centre(), exporter(), *startups(12)]
    remembered = Corpus.build(profiles)
    first = remembered.diversified(1, limit=5)
    remembered.diversified(1, [2, 3, 10], limit=5)  # another list in between
    again = remembered.diversified(1, limit=5)
    fresh = Corpus.build(profiles[::-1])  # another tuple: another corpus, nothing kept
    assert again == first == fresh.diversified(1, limit=5)
    assert again is not first  # a copy: the caller may change its list
