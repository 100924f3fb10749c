"""Store what a benchmark measured, so the README's speed section is rendered from data, not typed.

Every benchmark script ends with :func:`record`, which appends one run to
``benchmarks/results/<benchmark>.json``: the measured values (seconds, ratios, MB, counts), the
date, the commit, the machine (cores, Python, platform) and the load average during the run.
Only the most recent :data:`KEEP_RUNS` runs are kept, so the ranges the README shows ("6.7–8.1×")
are the spread over repeated runs of the current code on a shared machine, not a best case picked
by hand. ``benchmarks/render_speed.py`` turns these files into the README's "Speed" section;
``tests/test_readme_speed.py`` fails when the README and the stored results disagree.

Examples
--------
>>> import tempfile, json, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = record("demo", {"ratio": 2.5}, results_dir=folder)
>>> json.loads(path.read_text())["runs"][-1]["values"]
{'ratio': 2.5}
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Runs kept per benchmark; the README shows the range over these.
KEEP_RUNS = 3


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parent, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def record(benchmark: str, values: dict, *, context: dict | None = None,
           results_dir: Path = RESULTS_DIR) -> Path:
    """Append one run of ``benchmark`` to its results file and return the file's path.

    Parameters
    ----------
    benchmark : str
        File stem, e.g. ``"sem_bootstrap"`` (letters, digits, ``_``).
    values : dict of str -> float
        What was measured, finite numbers only (seconds, ratios, MB, counts).
    context : dict, optional
        What was run (sizes, draws, versions of the baseline), stored with the run.
    results_dir : Path
        Folder of the results files (default ``benchmarks/results``).
    """
    if not benchmark.replace("_", "").isalnum():
        raise ValueError(f"benchmark name {benchmark!r}: use letters, digits and underscores")
    clean = {}
    for key, value in values.items():
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"benchmark {benchmark!r}: value {key!r} is {value!r}; record finite numbers only")
        clean[key] = number
    path = Path(results_dir) / f"{benchmark}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(path.read_text()) if path.exists() else {"benchmark": benchmark, "runs": []}
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    stored["runs"].append({
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "commit": _commit(),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()},
        "load_average": [round(x, 2) for x in load],
        "values": clean,
        "context": context or {},
    })
    stored["runs"] = stored["runs"][-KEEP_RUNS:]
    path.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    return path
