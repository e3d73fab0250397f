"""SUP-1.1 scoring: Σ weight·score ÷ Σ weight·max over answered, non-N/A items; a failed critical fails the run."""

from __future__ import annotations

import pytest

from inspections.scoring import score_run
from lib.errors import ServiceError

ITEMS = [
    {
        "code": "A",
        "section": "environment",
        "response_type": "pass_fail",
        "max_score": 1,
        "weight": 2,
        "na_allowed": False,
        "critical": False,
    },
    {
        "code": "B",
        "section": "conduct",
        "response_type": "score",
        "max_score": 5,
        "weight": 3,
        "na_allowed": True,
        "critical": False,
    },
    {
        "code": "C",
        "section": "process",
        "response_type": "pass_fail",
        "max_score": 1,
        "weight": 1,
        "na_allowed": True,
        "critical": True,
    },
    {
        "code": "D",
        "section": "process",
        "response_type": "number",
        "max_score": 1,
        "weight": 2,
        "limit_max": 15,
        "na_allowed": True,
        "critical": False,
    },
]


def test_sup_1_1_weighted_score_with_na():
    score = score_run(
        ITEMS, {"A": {"result": "fail"}, "B": {"score": 4}, "C": {"result": "na"}, "D": {"number": 12}}
    )
    # A: 2·0/2·1, B: 3·4/3·5, C excluded, D: 2·1/2·1  → (0 + 12 + 2) / (2 + 15 + 2)
    assert score.num == 14 and score.den == 19
    assert score.pct == round(100 * 14 / 19, 1)
    assert not score.failed_critical
    assert score.sections["process"] == {"num": 2.0, "den": 2.0}


def test_sup_1_1_failed_critical_fails_the_run_even_with_a_high_score():
    score = score_run(
        ITEMS, {"A": {"result": "pass"}, "B": {"score": 5}, "C": {"result": "fail"}, "D": {"number": 3}}
    )
    assert score.failed_critical
    assert score.den == 2 + 15 + 1 + 2


def test_sup_1_1_number_over_limit_fails():
    score = score_run(
        ITEMS, {"A": {"result": "pass"}, "B": {"result": "na"}, "C": {"result": "pass"}, "D": {"number": 20}}
    )
    assert score.num == 2 + 1 and score.den == 2 + 1 + 2


def test_sup_1_1_all_na_is_no_data():
    items = [dict(ITEMS[1])]
    score = score_run(items, {"B": {"result": "na"}})
    assert score.den == 0 and score.pct is None


@pytest.mark.parametrize(
    "answers, code",
    [
        (
            {"A": {"result": "na"}, "B": {"score": 1}, "C": {"result": "pass"}, "D": {"number": 1}},
            "na_not_allowed",
        ),
        ({"A": {}, "B": {"score": 1}, "C": {"result": "pass"}, "D": {"number": 1}}, "answer_required"),
        (
            {"A": {"result": "pass"}, "B": {"score": 6}, "C": {"result": "pass"}, "D": {"number": 1}},
            "score_out_of_range",
        ),
        (
            {"A": {"result": "pass"}, "B": {"score": "x"}, "C": {"result": "pass"}, "D": {"number": 1}},
            "invalid_number",
        ),
        (
            {
                "A": {"result": "pass"},
                "B": {"score": 1},
                "C": {"result": "pass"},
                "D": {"number": 1},
                "Z": {},
            },
            "unknown_item",
        ),
    ],
)
def test_sup_1_1_bad_answers_are_refused(answers, code):
    with pytest.raises(ServiceError) as exc:
        score_run(ITEMS, answers)
    assert exc.value.code == code
