"""Render the README's "Speed" section from the stored benchmark results.

The section's text lives in ``benchmarks/speed.md``; every measured number in it is a placeholder
filled from ``benchmarks/results/*.json`` (written by the benchmark scripts through
``benchmarks/_record.py``), so the README cannot state a speed-up, a time or a memory figure that
no stored run measured. Placeholders::

    {{sem_bootstrap.cpu1_vs_lavaan}}        range over the stored runs, one decimal: "3.7–5.0"
    {{sem_bootstrap.cpu1_vs_lavaan|2}}      two decimals (any digit 0-3)
    {{build.book_seconds|mmss}}             a duration: "4 min 06 s" (range when runs differ)
    {{build.tests_passed|int}}              an integer with thousands separators: "1,734"
    {{build|dates}}                         the dates of the stored runs: "2026-12-03"
    {{build|load}}                          the range of the 1-minute load average during the runs

The README holds the rendered text between ``<!-- speed:begin -->`` and ``<!-- speed:end -->``.

    python benchmarks/render_speed.py           # rewrite the README section
    python benchmarks/render_speed.py --check   # exit 1 if the README is out of date

Examples
--------
>>> fill("x {{b.r}} y", {"b": {"runs": [{"values": {"r": 2.04}}, {"values": {"r": 2.51}}]}})
'x 2.0–2.5 y'
>>> fill("{{b.s|mmss}}", {"b": {"runs": [{"values": {"s": 246.4}}]}})
'4 min 06 s'
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "speed.md"
RESULTS = HERE / "results"
README = HERE.parent / "README.md"
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?(?:\|([A-Za-z0-9]+))?\s*\}\}")


class SpeedTemplateError(ValueError):
    """A placeholder names a benchmark, value or format that the stored results do not have."""


def load_results(folder: Path = RESULTS) -> dict:
    """Every ``<benchmark>.json`` in ``folder``, keyed by benchmark name."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(Path(folder).glob("*.json"))}


def _mmss(seconds: float) -> str:
    seconds = int(round(seconds))
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _span(low: str, high: str) -> str:
    return low if low == high else f"{low}–{high}"


def _render_one(bench: str, key: str | None, fmt: str | None, results: dict) -> str:
    if bench not in results:
        raise SpeedTemplateError(f"no stored results for benchmark {bench!r}: run its script (make bench)")
    runs = results[bench]["runs"]
    if not runs:
        raise SpeedTemplateError(f"benchmark {bench!r} has no stored runs")
    if key is None:
        if fmt == "dates":
            dates = sorted({run["date"] for run in runs})
            return _span(dates[0], dates[-1])
        if fmt == "load":
            loads = [run["load_average"][0] for run in runs]
            return _span(f"{min(loads):.0f}", f"{max(loads):.0f}")
        if fmt == "runs":
            return str(len(runs))
        raise SpeedTemplateError(f"{{{{{bench}|{fmt}}}}}: use dates, load or runs")
    missing = [run.get("date", "?") for run in runs if key not in run["values"]]
    if missing:
        raise SpeedTemplateError(f"benchmark {bench!r}: value {key!r} is missing from runs of {missing}")
    values = [run["values"][key] for run in runs]
    low, high = min(values), max(values)
    if fmt == "mmss":
        return _span(_mmss(low), _mmss(high))
    if fmt == "int":
        return _span(f"{round(low):,}", f"{round(high):,}")
    digits = 1 if fmt is None else int(fmt) if fmt.isdigit() and int(fmt) <= 3 else None
    if digits is None:
        raise SpeedTemplateError(f"{{{{{bench}.{key}|{fmt}}}}}: use a digit 0-3, mmss or int")
    return _span(f"{low:,.{digits}f}", f"{high:,.{digits}f}")


def fill(template: str, results: dict) -> str:
    """Replace every placeholder of ``template`` by its value from ``results``."""
    return PLACEHOLDER.sub(lambda m: _render_one(m.group(1), m.group(2), m.group(3), results), template)


def render(template_path: Path = TEMPLATE, results_dir: Path = RESULTS) -> str:
    """The README's speed section (without the markers)."""
    return fill(Path(template_path).read_text(), load_results(results_dir))


def readme_section(readme_text: str) -> str:
    """The text between the speed markers of the README."""
    if BEGIN not in readme_text or END not in readme_text:
        raise SpeedTemplateError(f"README has no {BEGIN} ... {END} block")
    return readme_text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is out of date")
    args = parser.parse_args(argv)
    text = README.read_text()
    rendered = render().strip("\n")
    if args.check:
        if readme_section(text) != rendered:
            print("README speed section is out of date: run python benchmarks/render_speed.py", file=sys.stderr)
            return 1
        return 0
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{BEGIN}\n{rendered}\n{END}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
