"""The recommender's scoring and reasons (pure: profiles in, ranked matches out)."""

from __future__ import annotations

import pytest

from matchmaker.matching import (
    Corpus,
    Profile,
    Reason,
    Weights,
    analyse,
    describe,
    implied_tags,
    kind_label,
)
from matchmaker.text import fold


def corpus(*profiles: Profile) -> Corpus:
    return Corpus.build(profiles)


def startup(**fields: object) -> Profile:
    base: dict = {"id": 1, "name": "Mekong Agritech", "kind": "startup"}
    return Profile(**{**base, **fields})


def other(id: int, name: str, kind: str = "tech_firm", **fields: object) -> Profile:
    return Profile(id=id, name=name, kind=kind, **fields)  # type: ignore[arg-type]


def reasons_en(c: Corpus, viewer: int, candidate: int) -> list[str]:
    return [describe(r, "en") for r in c.score(viewer, candidate).reasons]


def codes(c: Corpus, viewer: int, candidate: int) -> list[str]:
    return [r.code for r in c.score(viewer, candidate).reasons]


# --- tags, both directions ---------------------------------------------------


def test_score_they_offer_what_you_seek_gives_a_reason() -> None:
    c = corpus(
        startup(seeks=("seed_investment",)),
        other(2, "Quỹ Hạt Giống", "investor", offers=("seed_investment",)),
    )
    assert reasons_en(c, 1, 2) == [
        "They offer seed investment, which you seek",
        "Complementary roles: investor and startup",
    ]


def test_score_they_seek_what_you_offer_gives_a_reason() -> None:
    c = corpus(
        startup(offers=("iot_solutions",)),
        other(2, "Sở Nông nghiệp", "agency", seeks=("iot_solutions",)),
    )
    assert reasons_en(c, 1, 2) == [
        "They seek IoT solutions, which you offer",
        "Complementary roles: government agency and startup",
    ]


def test_score_weighs_what_you_seek_above_what_they_seek() -> None:
    c = corpus(
        startup(seeks=("cloud_services",), offers=("iot_solutions",)),
        other(2, "Offers what you seek", offers=("cloud_services",)),
        other(3, "Seeks what you offer", seeks=("iot_solutions",)),
    )
    assert c.value(1, 2) > c.value(1, 3) > 0


def test_score_more_matching_tags_score_higher_with_decay() -> None:
    c = corpus(
        startup(seeks=("cloud_services", "mentoring", "talent")),
        other(2, "One", offers=("cloud_services",)),
        other(3, "Two", offers=("cloud_services", "mentoring")),
        other(4, "Three", offers=("cloud_services", "mentoring", "talent")),
    )
    one, two, three = c.value(1, 2), c.value(1, 3), c.value(1, 4)
    assert one < two < three
    assert three - two < two - one


def test_score_lists_matching_tags_in_one_sentence() -> None:
    c = corpus(
        startup(seeks=("cloud_services", "mentoring")),
        other(2, "Both", offers=("mentoring", "cloud_services", "cybersecurity")),
    )
    assert reasons_en(c, 1, 2)[0] == "They offer cloud services and mentoring, which you seek"


def test_score_tag_named_only_in_the_text_counts_less_than_a_ticked_tag() -> None:
    c = corpus(
        startup(seeks=("digital_transformation_consulting",)),
        other(2, "Ticked", offers=("digital_transformation_consulting",)),
        other(3, "Written", offers_text="Chúng tôi có thể hỗ trợ tư vấn chuyển đổi số."),
    )
    assert c.value(1, 2) > c.value(1, 3) > 0
    assert reasons_en(c, 1, 3)[0] == (
        "They offer digital transformation consulting, which you seek"
    )


def test_implied_tags_finds_labels_in_both_languages_without_diacritics() -> None:
    assert implied_tags("Đang tìm kiếm: vốn đầu tư giai đoạn hạt giống, cố vấn.") == {
        "seed_investment",
        "mentoring",
    }
    assert implied_tags("dang tim khach hang thi diem va cloud services") == {
        "pilot_customer",
        "cloud_services",
    }
    assert implied_tags("") == frozenset()


# --- sectors and kinds ------------------------------------------------------


def test_score_shared_sectors_give_a_reason() -> None:
    c = corpus(
        startup(sectors=("agritech", "fintech", "tourism")),
        other(2, "Same", sectors=("fintech", "agritech")),
        other(3, "Different", sectors=("healthtech",)),
    )
    assert reasons_en(c, 1, 2)[0] == "Both work in Agriculture & agritech and Fintech"
    assert describe(c.score(1, 2).reasons[0], "vi") == (
        "Cả hai cùng hoạt động trong lĩnh vực Nông nghiệp công nghệ cao và Công nghệ tài chính"
    )
    assert c.value(1, 2) > c.value(1, 3)


def test_score_complementary_kinds_add_a_little() -> None:
    c = corpus(
        startup(),
        other(2, "Investor", "investor"),
        other(3, "Another startup", "startup"),
    )
    assert codes(c, 1, 2) == ["kinds"]
    assert c.value(1, 3) == 0
    assert c.rank(1) == [c.score(1, 2)]


# --- free text --------------------------------------------------------------

TEXT = "Giải pháp truy xuất nguồn gốc cho nông sản xuất khẩu, tem điện tử và nhật ký canh tác."


def test_text_similarity_matches_seeks_against_offers() -> None:
    c = corpus(
        startup(seeks_text="Cần giải pháp truy xuất nguồn gốc và nhật ký canh tác."),
        other(2, "Match", "startup", offers_text=TEXT),
        other(3, "Unrelated", "startup",
              offers_text="Dịch vụ kế toán và khai báo thuế cho hộ kinh doanh."),
    )
    assert c.value(1, 2) > 0
    assert c.value(1, 3) == 0
    assert "text_seek" in codes(c, 1, 2)


def test_text_similarity_ignores_diacritics() -> None:
    c = corpus(
        other(1, "Viewer", seeks_text=TEXT),
        other(2, "With diacritics", offers_text=TEXT),
        other(3, "Without diacritics", offers_text=fold(TEXT)),
    )
    assert c.value(1, 2) == pytest.approx(c.value(1, 3))
    assert c.value(1, 2) > 0


def test_text_reason_names_shared_terms_with_their_diacritics() -> None:
    c = corpus(
        other(1, "Viewer", seeks_text=fold(TEXT)),
        other(2, "Writes properly", offers_text=TEXT),
    )
    reason = next(r for r in c.score(1, 2).reasons if r.code.startswith("text_"))
    terms = reason.params[0][2]
    assert len(terms) == 3
    assert all(" " in t for t in terms)  # word pairs, not lone syllables
    assert any(not t.isascii() for t in terms)
    assert describe(reason, "en").startswith("What they offer matches what you seek: “")


def test_analyse_keeps_word_pairs_within_a_phrase() -> None:
    counts = analyse("Thiết kế bao bì, nhãn hiệu và tem điện tử").counts
    assert counts["bao bi"] == 1
    assert counts["nhan hieu"] == 1
    assert "bi nhan" not in counts  # across a comma
    assert "hieu tem" not in counts  # across a stop word ("và")
    assert "va" not in counts


def test_analyse_keeps_dau_tu_although_tu_alone_is_a_stop_word() -> None:
    assert analyse("Quỹ đầu tư").counts["dau tu"] == 1
    assert analyse("Quy dau tu").counts["dau tu"] == 1


# --- ranking ----------------------------------------------------------------


def test_rank_orders_by_score_then_name_and_excludes_the_viewer() -> None:
    c = corpus(
        startup(seeks=("seed_investment", "mentoring")),
        other(2, "B Fund", "investor", offers=("seed_investment",)),
        other(3, "A Fund", "investor", offers=("seed_investment",)),
        other(4, "Best Fund", "investor", offers=("seed_investment", "mentoring")),
        other(5, "Nothing in common", "startup"),
    )
    ranked = c.rank(1)
    assert [m.profile.name for m in ranked] == ["Best Fund", "A Fund", "B Fund"]
    assert [m.profile.id for m in c.rank(1, keep_zero=True)] == [4, 3, 2, 5]
    assert [m.profile.id for m in c.rank(1, [2, 5], keep_zero=False)] == [2]
    assert [m.profile.id for m in c.rank(1, limit=1)] == [4]


def test_rank_scores_equal_pairwise_scores() -> None:
    c = corpus(
        startup(seeks=("cloud_services",), seeks_text=TEXT, sectors=("agritech",)),
        other(2, "Two", offers=("cloud_services",), offers_text=TEXT, sectors=("agritech",)),
        other(3, "Three", offers_text=fold(TEXT), description="Nông nghiệp số"),
        other(4, "Four", "investor", seeks_text=TEXT),
    )
    for match in c.rank(1, keep_zero=True):
        assert match.score == pytest.approx(c.value(1, match.profile.id))


def test_match_fit_is_a_percentage() -> None:
    c = corpus(
        startup(seeks=("seed_investment",), sectors=("agritech",)),
        other(2, "Fund", "investor", offers=("seed_investment",), sectors=("agritech",)),
    )
    fit = c.score(1, 2).fit
    assert 0 < fit < 100


# --- words ------------------------------------------------------------------


def test_describe_in_vietnamese_uses_vietnamese_labels() -> None:
    reason = Reason("they_offer", "They offer %(tags)s, which you seek",
                    (("tags", "tag", ("seed_investment", "mentoring")),), 1.0)
    assert describe(reason, "vi") == (
        "Họ cung cấp vốn đầu tư giai đoạn hạt giống và cố vấn, huấn luyện khởi nghiệp"
        " – điều bạn đang tìm"
    )


def test_describe_separates_labels_holding_commas_with_semicolons() -> None:
    reason = Reason("they_seek", "They seek %(tags)s, which you offer",
                    (("tags", "tag", ("training", "mentoring", "talent")),), 1.0)
    assert describe(reason, "vi") == (
        "Họ đang tìm đào tạo, tập huấn; cố vấn, huấn luyện khởi nghiệp và nguồn nhân lực"
        " – điều bạn có thể cung cấp"
    )


def test_describe_shows_unknown_tags_readably() -> None:
    reason = Reason("they_offer", "They offer %(tags)s, which you seek",
                    (("tags", "tag", ("drone_spraying",)),), 1.0)
    assert describe(reason, "en") == "They offer drone spraying, which you seek"


def test_kind_label_is_capitalised_in_both_languages() -> None:
    assert kind_label("investor", "en") == "Investor"
    assert kind_label("investor", "vi") == "Nhà đầu tư"
    assert kind_label("ocop", "vi") == "Chủ thể OCOP"


def test_corpus_with_weights_scores_the_same_features_differently() -> None:
    c = corpus(
        startup(seeks=("cloud_services",), sectors=("agritech",)),
        other(2, "Cloud", offers=("cloud_services",), sectors=("agritech",)),
    )
    no_tags = c.with_weights(Weights(seek=0.0, give=0.0))
    assert no_tags.value(1, 2) == pytest.approx(c.value(1, 2) - 3.0)
    assert c.value(1, 2) == pytest.approx(3.0 + 2.0 + 0.75)  # tag, sector, kinds
