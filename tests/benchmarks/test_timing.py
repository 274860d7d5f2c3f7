"""`benchmarks.timing`: ratios are taken round by round."""

from benchmarks.timing import Timing, compare


def test_speed_is_the_median_of_each_rounds_ratio():
    # Round 2 was slowed for both by a burst of load; the rounds' ratios are 2, 2, 2, 1/3.
    reference = Timing("ref", seconds=[1.0, 4.0, 1.0, 1.0])
    candidate = Timing("new", seconds=[0.5, 2.0, 0.5, 3.0])
    assert candidate.speed_vs(reference) == 2.0
    # The ratio of the two medians mixes rounds: 1.0 / 1.25.
    assert reference.median / candidate.median == 0.8


def test_speed_counts_work_per_unit():
    reference = Timing("ref", work=10, seconds=[1.0, 1.0, 1.0])
    candidate = Timing("new", work=20, seconds=[1.0, 1.0, 1.0])  # twice the work, same time
    assert candidate.speed_vs(reference) == 2.0


def test_compare_times_every_candidate_in_every_round():
    calls: list[str] = []
    timings = compare({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 3)
    assert calls == ["a", "b"] * 4  # one warm-up round, then three timed
    assert [len(t.seconds) for t in timings] == [3, 3]
