"""`python -m tooling eval-matching`: the generated event with hidden preferences, the
metrics, determinism, and the recommender beating both baselines."""

from __future__ import annotations

import pytest

from tooling.cli import main
from tooling.matching_eval import (
    Hidden,
    K,
    Scores,
    evaluate,
    format_table,
    generate,
    metrics,
    true_grade,
)


def test_metrics_of_a_perfect_list() -> None:
    grades = {1: 3, 2: 1}
    assert metrics([1, 2, 7, 8], grades) == Scores(precision=2 / K, recall=1.0, ndcg=1.0)


def test_metrics_of_a_list_without_relevant_partners() -> None:
    assert metrics([5, 6, 7], {1: 2}) == Scores(precision=0.0, recall=0.0, ndcg=0.0)


def test_metrics_ndcg_rewards_the_better_partner_first() -> None:
    grades = {1: 3, 2: 1}
    good = metrics([1, 2], grades).ndcg
    swapped = metrics([2, 1], grades).ndcg
    assert good == pytest.approx(1.0)
    assert 0 < swapped < good


def test_true_grade_needs_something_to_exchange() -> None:
    startup = Hidden(1, "startup", ("agritech",), frozenset({"seed_investment"}),
                     frozenset({"deal_flow"}))
    fund = Hidden(2, "investor", ("agritech",), frozenset({"deal_flow"}),
                  frozenset({"seed_investment"}))
    stranger = Hidden(3, "investor", ("agritech",), frozenset({"co_investment"}),
                      frozenset({"co_investment"}))
    assert true_grade(startup, fund, 0.0) == 2
    assert true_grade(startup, stranger, 0.0) == 0


def test_generate_is_deterministic_in_its_seed() -> None:
    assert generate(seed=11, organisations=60) == generate(seed=11, organisations=60)
    assert generate(seed=11, organisations=60) != generate(seed=12, organisations=60)


def test_generate_shows_a_noisy_view_of_the_truth() -> None:
    event = generate(seed=3, organisations=200)
    ticked = sum(len(p.offers) + len(p.seeks) for p in event.visible)
    true = sum(len(h.offers) + len(h.needs) for h in event.hidden)
    assert ticked < true
    texts = [p.seeks_text for p in event.visible if p.seeks_text]
    assert any(t.isascii() for t in texts)  # some written without diacritics
    assert any(not t.isascii() for t in texts)
    startups = [p for p in event.visible if p.kind == "startup"]
    assert all("deal_flow" not in p.offers for p in startups)  # never ticked


def test_generate_candidates_follow_the_rules() -> None:
    event = generate(seed=5, organisations=80)
    kinds = {h.id: h.kind for h in event.hidden}
    for h in event.hidden:
        if h.kind == "investor":
            assert {kinds[c] for c in event.candidates[h.id]} <= {"startup", "tech_firm"}
        assert h.id not in event.candidates[h.id]
        assert set(event.grades[h.id]) <= set(event.candidates[h.id])


def test_evaluate_gives_the_same_numbers_for_the_same_seed() -> None:
    assert evaluate(seed=9, organisations=60) == evaluate(seed=9, organisations=60)


def test_evaluate_recommender_beats_both_baselines() -> None:
    result = evaluate(seed=2023, organisations=150)
    ours = result.methods["recommender"]
    for baseline in ("random", "shared sector"):
        theirs = result.methods[baseline]
        assert ours.precision > theirs.precision, baseline
        assert ours.recall > theirs.recall, baseline
        assert ours.ndcg > theirs.ndcg, baseline


def test_format_table_lists_every_method() -> None:
    table = format_table(evaluate(seed=1, organisations=40))
    lines = table.splitlines()
    assert lines[2].split() == ["method", "P@10", "R@10", "NDCG@10"]
    assert [line.split()[0] for line in lines[4:]] == ["random", "shared", "recommender"]


def test_cli_eval_matching_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-matching", "--seed", "4", "--orgs", "40"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("eval-matching: seed 4, 40 organisations")
    assert "recommender" in out


def test_cli_eval_matching_refuses_too_few_organisations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval-matching", "--orgs", "1"]) == 2
    assert "--orgs" in capsys.readouterr().err


def test_evaluate_ablation_adds_a_row_per_switched_off_signal() -> None:
    result = evaluate(seed=2, organisations=40, ablation=True)
    assert list(result.methods) == [
        "random", "shared sector", "recommender", "- tags", "- text", "- sectors", "- kinds",
    ]
