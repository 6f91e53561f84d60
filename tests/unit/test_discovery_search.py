"""Directory search: every word must start a word of the profile, accents ignored."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from matchmaker.discovery import _at_word_start, match_score
from matchmaker.models import Organisation, OrgKind
from matchmaker.text import fold


def org(name: str, **fields: object) -> Organisation:
    made = Organisation(event_id=1, name=name, name_folded=fold(name), kind=OrgKind.startup)
    for key, value in fields.items():
        setattr(made, key, value)
    return made


def test_match_score_finds_folded_words_in_offers_text() -> None:
    fund = org("Mekong Capital", offers_text="Vốn ĐẦU TƯ cho nông nghiệp")
    assert match_score(fund, "dau tu") > 0


def test_match_score_finds_tag_labels_in_both_languages() -> None:
    fund = org("Mekong Capital", offers=["seed_investment"])
    assert match_score(fund, "hat giong") > 0
    assert match_score(fund, "seed") > 0


def test_match_score_needs_every_word_at_a_word_start() -> None:
    firm = org("Công ty Phần mềm Cần Thơ", description="phát triển phần mềm")
    assert match_score(firm, "phan mem") > 0
    assert match_score(firm, "han mem") == 0
    assert match_score(firm, "phan mem ha noi") == 0


def test_match_score_ranks_name_matches_higher() -> None:
    by_name = org("Nông nghiệp Số")
    by_text = org("Mekong Capital", description="Đầu tư nông nghiệp số")
    assert match_score(by_name, "nong nghiep") > match_score(by_text, "nong nghiep") > 0


def test_match_score_empty_query_matches_all() -> None:
    assert match_score(org("Bất kỳ"), "") == 1


@given(
    text=st.text(alphabet="abz09 -.\nđ", max_size=40),
    token=st.text(alphabet="abz09-.đ", min_size=1, max_size=4),
)
def test_word_start_is_the_look_behind_rule(text: str, token: str) -> None:
    """The search's word start (str.find and a look at the character before) is the
    rule it replaced: the token not right after a letter or digit [0-9a-z]."""
    expected = re.search(r"(?<![0-9a-z])" + re.escape(token), text) is not None
    assert _at_word_start(token, text) is expected
