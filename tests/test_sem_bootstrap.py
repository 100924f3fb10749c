"""Bootstrap: reproducibility across processes, interval definitions, counts."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from chaoyang import sem
from chaoyang.sem.mediation import parallel_mediation_syntax
from chaoyang.sem.simulate import simulate_parallel_mediation


# Small draw counts keep these tests fast; the library warns about them (< 200 draws) by design.
pytestmark = pytest.mark.filterwarnings("ignore:n_boot=:chaoyang.errors.ChaoyangWarning")

@pytest.fixture(scope="module")
def mediation_data():
    return simulate_parallel_mediation(n=300, a=(0.5, 0.3), b=(0.4, 0.2), c=0.1, latent=False, seed=7)


@pytest.fixture(scope="module")
def syntax():
    return parallel_mediation_syntax("X", ["M1", "M2"], "Y")


def test_same_intervals_to_the_bit_for_one_or_two_processes(mediation_data, syntax):
    one = sem.fit(syntax, mediation_data, n_boot=120, seed=11, n_jobs=1, progress=False)
    two = sem.fit(syntax, mediation_data, n_boot=120, seed=11, n_jobs=2, progress=False)
    assert np.array_equal(one.bootstrap.draws, two.bootstrap.draws, equal_nan=True)
    pd.testing.assert_frame_equal(one.bootstrap.intervals, two.bootstrap.intervals, check_exact=True)
    other = sem.fit(syntax, mediation_data, n_boot=120, seed=12, n_jobs=1, progress=False)
    assert not np.array_equal(one.bootstrap.draws, other.bootstrap.draws)


def test_draw_i_depends_only_on_its_own_seed(mediation_data, syntax):
    # child i of SeedSequence(seed).spawn(B) is the same whatever B, so a longer run extends a shorter one
    short = sem.fit(syntax, mediation_data, n_boot=40, seed=11, progress=False)
    long = sem.fit(syntax, mediation_data, n_boot=120, seed=11, progress=False)
    assert np.array_equal(short.bootstrap.draws, long.bootstrap.draws[:40])


def test_bootstrap_draw_equals_a_fresh_fit_on_the_resample(mediation_data, syntax):
    res = sem.fit(syntax, mediation_data, n_boot=20, seed=3, progress=False)
    child = np.random.SeedSequence(3).spawn(20)[2]
    rows = np.random.default_rng(child).integers(0, len(mediation_data), size=len(mediation_data))
    fresh = sem.fit(syntax, mediation_data.iloc[rows].reset_index(drop=True))
    expected = fresh.defined()["est"].to_numpy()
    np.testing.assert_allclose(res.bootstrap.draws[2], expected, rtol=1e-6, atol=1e-8)


def test_interval_table_and_counts(mediation_data, syntax):
    res = sem.fit(syntax, mediation_data, n_boot=300, seed=5, progress=False)
    boot = res.bootstrap
    assert boot.n_draws == 300 and boot.n_converged == 300 and boot.converged.all()
    table = boot.intervals.set_index("label")
    assert list(table.index) == list(res.defined()["label"])
    for label, row in table.iterrows():
        draws = boot.draws[:, list(table.index).index(label)]
        assert row["perc.lower"] == pytest.approx(np.quantile(draws, 0.025))
        assert row["perc.upper"] == pytest.approx(np.quantile(draws, 0.975))
        assert row["perc.lower"] < row["est"] < row["perc.upper"]
    # bootstrap SE of the first indirect effect close to the delta-method SE
    delta_se = res.parameter("ind1")["se"]
    assert table.loc["ind1", "boot.se"] == pytest.approx(delta_se, rel=0.2)


def test_boot_all_adds_free_parameters(mediation_data, syntax):
    res = sem.fit(syntax, mediation_data, n_boot=30, seed=1, boot_all=True, progress=False)
    labels = set(res.bootstrap.intervals["label"])
    assert {"a1", "a2", "b1", "b2", "c", "ind1", "total"} <= labels
    n_free = int((res.estimates["se"] > 0).sum()) - len(res.defined())
    assert len(res.bootstrap.intervals) == n_free + len(res.defined())


def test_bc_equals_percentile_without_bias():
    draws = np.arange(1.0, 1001.0)
    np.testing.assert_allclose(sem.bias_corrected_interval(draws, 500.5, 0.95),
                               sem.percentile_interval(draws, 0.95), rtol=1e-12)


def test_bc_known_case_z0_equals_one():
    # estimate at the 84.134 % point of the draws: z0 = 1; for a 90 % interval the BC bounds are the
    # quantiles at Phi(2 - 1.645) = Phi(0.355) = 0.6387 and Phi(2 + 1.645) = Phi(3.645) = 0.99987
    draws = np.linspace(0.0, 1.0, 200001)
    lo, hi = sem.bias_corrected_interval(draws, 0.841345, 0.90)
    assert lo == pytest.approx(0.6387, abs=2e-4)
    assert hi == pytest.approx(0.99987, abs=2e-5)


def test_bc_shifts_toward_skew():
    rng = np.random.default_rng(0)
    draws = rng.lognormal(size=5000)
    est = float(np.exp(0.0))  # median of the lognormal = 1: more than half the mean-skewed draws sit above
    lo, hi = sem.bias_corrected_interval(draws, est, 0.95)
    plo, phi = sem.percentile_interval(draws, 0.95)
    share_below = np.mean(draws < est)
    z0 = stats.norm.ppf(share_below)
    assert (lo < plo) == (z0 < 0)


def test_progress_bar_writes_to_stderr(mediation_data, syntax, capsys):
    sem.fit(syntax, mediation_data, n_boot=20, seed=1, progress=True)
    assert "bootstrap" in capsys.readouterr().err


def test_model_without_defined_parameters_needs_boot_all(mediation_data):
    with pytest.raises(ValueError, match="boot_all"):
        sem.fit("M1 ~ X\nY ~ M1", mediation_data, n_boot=20, seed=1)
