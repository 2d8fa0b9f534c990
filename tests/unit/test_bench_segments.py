"""The latency segments of ``make bench`` tile a paid claim's path from approval to Paid."""

from __future__ import annotations

import pytest

from bench.flows import Flow
from bench.segments import SEGMENTS, STEPS, cut


def _flow(claim_id: str, started: float) -> Flow:
    flow = Flow(claim_id, {}, "claim_credit")
    flow.approved_at = started
    return flow


def test_each_segment_runs_from_one_step_to_the_next() -> None:
    assert len(STEPS) == len(SEGMENTS) + 1
    at = {step: 100.0 + index / 100 for index, step in enumerate(STEPS) if step != "started"}
    durations = cut([_flow("c1", 100.0)], {"c1": at})
    assert [round(ms[0], 6) for ms in durations.values()] == [10.0] * len(SEGMENTS)


def test_segments_sum_to_the_time_from_approval_to_paid() -> None:
    at = {"approved": 1.004, "command published": 1.009, "command received": 1.013,
          "attempt": 1.020, "payout submitted": 1.031, "payout paid": 1.036,
          "paid published": 1.041, "paid received": 1.047, "paid": 1.050}
    durations = cut([_flow("c1", 1.0)], {"c1": at})
    assert sum(ms[0] for ms in durations.values()) == pytest.approx(50.0)


def test_a_payout_paid_before_its_answer_was_recorded_has_no_callback_wait() -> None:
    at = {"attempt": 2.0, "payout paid": 2.010, "payout submitted": 2.015}
    durations = cut([_flow("c1", 1.0)], {"c1": at})
    assert durations["rail send"] == [pytest.approx(10.0)]
    assert durations["rail callback"] == [0.0]
    without_submitted = cut([_flow("c1", 1.0)], {"c1": {"attempt": 2.0, "payout paid": 2.010}})
    assert without_submitted["rail callback"] == [0.0]


def test_a_flow_missing_a_step_is_left_out_of_the_segments_that_touch_it() -> None:
    at = {"approved": 1.004, "command published": 1.009}
    durations = cut([_flow("c1", 1.0), _flow("c2", 1.0)], {"c1": at})
    assert len(durations["approval"]) == 1 and len(durations["claims relay"]) == 1
    assert durations["to payouts"] == []
