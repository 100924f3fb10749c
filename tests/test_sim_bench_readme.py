"""The README's scale benchmark figures are rendered from benchmarks/results/bench_sim_scale.json.

``benchmarks/bench_sim_scale.py`` (``make bench``) writes the file and the README block; this test
re-renders the block from the file and compares, so a hand edit of either is caught. It checks no
wall-clock limit: only that the stored numbers are consistent with each other and with the 1:1 study.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "bench_sim_scale.json"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_sim_scale", ROOT / "benchmarks" / "bench_sim_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results():
    assert RESULTS.is_file(), "run `make bench` (benchmarks/bench_sim_scale.py) to produce the results file"
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_readme_block_is_rendered_from_the_results_file(bench, results):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(bench.START), readme.index(bench.END) + len(bench.END)
    assert readme[start:end] == bench.readme_block(results)


def test_stored_ratios_are_the_stored_times_divided(results):
    for row in results["engines"]:
        assert row["ratio"] == pytest.approx(row["reference_s"] / row["vectorized_s"])
    sweep = results["sweep"]
    assert sweep["speedup"] == pytest.approx(sweep["serial_s"] / sweep["dask_s"])
    assert sweep["identical"] is True
    assert [row["n_residents"] for row in results["engines"]] == [2_000, 20_000]


def test_district_figures_are_those_of_the_stored_study(results):
    study = json.loads((ROOT / "benchmarks" / "results" / "district.json").read_text(encoding="utf-8"))["district"]
    for key, value in results["district"].items():
        assert study[key] == value, key


def test_renderer_changes_with_the_numbers(bench, results):
    changed = json.loads(json.dumps(results))
    changed["engines"][0]["ratio"] += 1.0
    assert bench.readme_block(changed) != bench.readme_block(results)
