"""The README's speed figures come from stored benchmark runs, never from typing.

``benchmarks/render_speed.py`` renders the README's "Speed" section from ``benchmarks/speed.md``
and ``benchmarks/results/*.json``; these tests fail when the README and the stored runs disagree,
when the template types a measured number instead of a placeholder, or when a benchmark script
does not store what it measures.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import render_speed  # noqa: E402
from _record import KEEP_RUNS, record  # noqa: E402

# A measured quantity typed as text: a number followed by a unit of time, memory or a ratio sign.
TYPED_MEASUREMENT = re.compile(r"\d[\d,.]*\s*(?:×|x\b|s\b|min\b|ms\b|MB\b|seconds?\b|minutes?\b)")


def typed_measurements(template: str) -> list[str]:
    """Measured-looking numbers in ``template`` once its placeholders are removed."""
    return TYPED_MEASUREMENT.findall(render_speed.PLACEHOLDER.sub("", template))


def test_readme_speed_section_equals_the_rendered_results():
    readme = (ROOT / "README.md").read_text()
    assert render_speed.readme_section(readme) == render_speed.render().strip("\n"), (
        "README speed section is out of date: run python benchmarks/render_speed.py")


def test_speed_template_types_no_measured_number():
    assert typed_measurements(render_speed.TEMPLATE.read_text()) == []


def test_typed_number_detector_catches_a_planted_number():
    planted = "| bench | baseline | {{sem_bootstrap.cpu1_vs_lavaan}}× and 4.2× less |"
    assert typed_measurements(planted) == ["4.2×"]
    assert typed_measurements("took 3 min 10 s") == ["3 min", "10 s"]


def test_every_benchmark_script_records_its_results():
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    assert scripts
    # bench_sim_scale.py renders its own README block from its own results file (tests/test_sim_bench_readme.py).
    silent = [s.name for s in scripts if "record(" not in s.read_text() and "RESULTS.write_text" not in s.read_text()]
    assert silent == [], f"these benchmarks print numbers but store none for the README: {silent}"


RECORDED = sorted(p for p in (ROOT / "benchmarks" / "results").glob("*.json") if '"runs"' in p.read_text())


def test_recorded_results_exist():
    assert {p.stem for p in RECORDED} >= {"sem_bootstrap", "qca", "grading", "build_book", "sem_fiml"}


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
def test_stored_results_are_complete(path):
    stored = json.loads(path.read_text())
    assert stored["benchmark"] == path.stem
    assert 1 <= len(stored["runs"]) <= KEEP_RUNS
    for run in stored["runs"]:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", run["date"])
        assert run["machine"]["cpus"] >= 1
        assert run["values"] and all(math.isfinite(v) for v in run["values"].values())


def test_placeholders_fail_loudly_on_missing_results():
    with pytest.raises(render_speed.SpeedTemplateError, match="no stored results"):
        render_speed.fill("{{nosuch.value}}", {})
    results = {"b": {"runs": [{"values": {"r": 1.0}}]}}
    with pytest.raises(render_speed.SpeedTemplateError, match="missing"):
        render_speed.fill("{{b.other}}", results)
    with pytest.raises(render_speed.SpeedTemplateError, match="digit"):
        render_speed.fill("{{b.r|pretty}}", results)


def test_ranges_span_the_stored_runs(tmp_path):
    for value in (2.04, 2.96, 2.51):
        record("demo", {"ratio": value, "seconds": 125.0 + value}, results_dir=tmp_path)
    results = render_speed.load_results(tmp_path)
    assert render_speed.fill("{{demo.ratio}}×", results) == "2.0–3.0×"
    assert render_speed.fill("{{demo.seconds|mmss}}", results) == "2 min 07 s–2 min 08 s"
    assert render_speed.fill("{{demo|runs}}", results) == "3"


def test_record_refuses_non_finite_values(tmp_path):
    with pytest.raises(ValueError, match="finite"):
        record("demo", {"ratio": float("nan")}, results_dir=tmp_path)
    for i in range(KEEP_RUNS + 2):
        record("demo", {"ratio": float(i)}, results_dir=tmp_path)
    kept = json.loads((tmp_path / "demo.json").read_text())["runs"]
    assert [run["values"]["ratio"] for run in kept] == [float(i) for i in range(2, KEEP_RUNS + 2)]


def test_pytest_summary_parser_reads_counts():
    import time_build
    counts = time_build.pytest_counts("x\n=== 12 failed, 1734 passed, 2 skipped, 3 warnings in 870.10s ===\n")
    assert counts == {"failed": 12, "passed": 1734, "skipped": 2, "warnings": 3}
    with pytest.raises(ValueError, match="summary"):
        time_build.pytest_counts("no summary here")
