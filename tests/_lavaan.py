"""Run lavaan (R) on a model and a DataFrame; return its parameter table, standardized solution and fit.

A test helper, not part of the library. ``run_lavaan`` writes the data to CSV (17 significant
digits) and the model to a file in a temporary folder, runs ``Rscript`` on :data:`R_SCRIPT`, and
reads back JSON: ``parameterEstimates(fit, standardized=TRUE)`` (``params``),
``standardizedSolution(fit)`` (``std``), ``fitMeasures(fit)`` (``fit``) and provenance (lavaan
and R versions, date, the call). ``store`` saves such a result as a fixture, ``load_stored``
reads it back, so that the comparison also runs where R is missing.

Settings match :func:`chaoyang.sem.fit`: ``sem()`` with estimator ML, normal likelihood,
expected information, ``fixed.x = TRUE``, listwise deletion (the data passed are complete).

    python tests/_lavaan.py             # regenerate every stored live fixture (needs Rscript + lavaan)
    python tests/_lavaan.py extended    # only the cases of tests/test_sem_extended_live.py
    python tests/_lavaan.py ext_fiml    # one case by name

``run_lavaan_options`` passes any of lavaan's own ``sem()`` arguments (``missing``, ``group``,
``group.equal``, ``group.partial``, ``meanstructure``, ``se``/``bootstrap``/``iseed``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).parent / "fixtures" / "lavaan"

R_SCRIPT = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE)
model <- paste(readLines(args[2], warn = FALSE), collapse = "\n")
std_lv <- identical(args[4], "TRUE")
call <- sprintf("sem(model, data = d, estimator = 'ML', likelihood = 'normal', information = 'expected', fixed.x = TRUE, std.lv = %s)", std_lv)
fit <- sem(model, data = d, estimator = "ML", likelihood = "normal", information = "expected",
           fixed.x = TRUE, std.lv = std_lv)
pe <- parameterEstimates(fit, standardized = TRUE)
if (!"label" %in% names(pe)) pe$label <- ""  # lavaan omits the column when nothing is labelled
ss <- standardizedSolution(fit)
fm <- fitMeasures(fit)
out <- list(
  params = pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.all")],
  std = ss[, c("lhs", "op", "rhs", "est.std", "se")],
  fit = as.list(setNames(as.numeric(fm), names(fm))),
  converged = lavInspect(fit, "converged"),
  provenance = list(lavaan = as.character(packageVersion("lavaan")), R = R.version.string,
                    date = format(Sys.time(), "%Y-%m-%d", tz = "UTC"), call = call)
)
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, dataframe = "rows"), args[3])
"""


R_SCRIPT_OPTIONS = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE)
model <- paste(readLines(args[2], warn = FALSE), collapse = "\n")
opts <- fromJSON(args[4], simplifyVector = TRUE)
call_args <- c(list(model = model, data = d, estimator = "ML", likelihood = "normal"), opts)
if (!is.null(opts$group)) d[[opts$group]] <- as.character(d[[opts$group]])
call_args$data <- d
warn <- character(0)
fit <- withCallingHandlers(do.call("sem", call_args),
                           warning = function(w) {warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning")})
boot <- !is.null(opts$se) && opts$se == "bootstrap"
pe <- if (boot) parameterEstimates(fit, standardized = TRUE, boot.ci.type = "perc") else
        parameterEstimates(fit, standardized = TRUE)
if (!"label" %in% names(pe)) pe$label <- ""
if (!"group" %in% names(pe)) pe$group <- 1L
ss <- standardizedSolution(fit)
if (!"group" %in% names(ss)) ss$group <- 1L
fm <- fitMeasures(fit)
shown <- opts; shown$model <- NULL
out <- list(
  params = pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.all")],
  std = ss[, c("lhs", "op", "rhs", "group", "est.std", "se")],
  fit = as.list(setNames(as.numeric(fm), names(fm))),
  converged = lavInspect(fit, "converged"),
  nobs = as.list(lavInspect(fit, "nobs")),
  group_labels = as.list(lavInspect(fit, "group.label")),
  warnings = as.list(warn),
  provenance = list(lavaan = as.character(packageVersion("lavaan")), R = R.version.string,
                    date = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
                    call = paste0("sem(model, data = d, estimator = 'ML', likelihood = 'normal', ",
                                  toJSON(shown, auto_unbox = TRUE), ")"))
)
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, dataframe = "rows"), args[3])
"""


@functools.lru_cache(maxsize=1)
def lavaan_missing_reason() -> str | None:
    """``None`` when Rscript with lavaan and jsonlite runs here, else why not (for ``pytest.skip``)."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install -y r-base-core r-cran-lavaan r-cran-jsonlite)"
    probe = subprocess.run(["Rscript", "-e", "suppressPackageStartupMessages({library(lavaan); library(jsonlite)})"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        return f"R packages lavaan/jsonlite missing: {probe.stderr.strip()[:200]}"
    return None


def run_lavaan(model: str, data: pd.DataFrame, *, std_lv: bool = False, timeout: float = 300) -> dict:
    """Fit ``model`` to ``data`` with lavaan; return the parsed JSON (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="chaoyang-lavaan-") as tmp:
        folder = Path(tmp)
        data.to_csv(folder / "data.csv", index=False, float_format="%.17g")
        (folder / "model.lav").write_text(model)
        (folder / "run.R").write_text(R_SCRIPT)
        command = ["Rscript", str(folder / "run.R"), str(folder / "data.csv"), str(folder / "model.lav"),
                   str(folder / "out.json"), "TRUE" if std_lv else "FALSE"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"lavaan failed on the model:\n{model}\n{done.stderr[-2000:]}")
        out = json.loads((folder / "out.json").read_text())
    out["model"] = model
    out["std_lv"] = std_lv
    out["provenance"]["harness"] = "tests/_lavaan.py run_lavaan (Rscript R_SCRIPT data.csv model.lav out.json)"
    return out


def run_lavaan_options(model: str, data: pd.DataFrame, options: dict, *, timeout: float = 3600) -> dict:
    """Fit ``model`` with lavaan's ``sem(model, data, estimator = "ML", <options>)``.

    ``options`` are lavaan's own argument names and values (``{"missing": "ml"}``,
    ``{"group": "g", "group.equal": ["loadings", "intercepts"]}``, ``{"se": "bootstrap",
    "bootstrap": 1000, "iseed": 1}``), passed through JSON. Returns the parsed JSON: ``params``
    (with ``group``; percentile intervals in ``ci.lower``/``ci.upper`` when bootstrapped), ``std``,
    ``fit``, ``nobs``, ``group_labels``, lavaan's ``warnings`` and ``provenance``.
    """
    with tempfile.TemporaryDirectory(prefix="chaoyang-lavaan-") as tmp:
        folder = Path(tmp)
        data.to_csv(folder / "data.csv", index=False, float_format="%.17g")
        (folder / "model.lav").write_text(model)
        (folder / "run.R").write_text(R_SCRIPT_OPTIONS)
        command = ["Rscript", str(folder / "run.R"), str(folder / "data.csv"), str(folder / "model.lav"),
                   str(folder / "out.json"), json.dumps(options)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"lavaan failed on the model:\n{model}\n{done.stderr[-2000:]}")
        out = json.loads((folder / "out.json").read_text())
    out["model"] = model
    out["options"] = options
    out["provenance"]["harness"] = "tests/_lavaan.py run_lavaan_options (Rscript R_SCRIPT_OPTIONS data.csv model.lav out.json options.json)"
    return out


def store(name: str, result: dict) -> Path:
    """Save a :func:`run_lavaan` result as ``tests/fixtures/lavaan/live_<name>.json``."""
    path = FIXTURES / f"live_{name}.json"
    path.write_text(json.dumps(result, indent=1, sort_keys=False) + "\n")
    return path


def load_stored(name: str) -> dict:
    """Read a fixture written by :func:`store`."""
    return json.loads((FIXTURES / f"live_{name}.json").read_text())


def today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")


if __name__ == "__main__":  # regenerate the stored fixtures
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_sem_lavaan_live import LIVE_CASES  # noqa: E402

    wanted = set(sys.argv[1:])
    if not wanted or "basic" in wanted:
        for case_name, (make_model, make_data, case_std_lv) in LIVE_CASES.items():
            print("wrote", store(case_name, run_lavaan(make_model(), make_data(), std_lv=case_std_lv)))
    from test_sem_extended_live import BOOT_CASES, EXTENDED_CASES  # noqa: E402

    for case_name, (make_model, make_data, options) in {**EXTENDED_CASES, **BOOT_CASES}.items():
        if wanted and case_name not in wanted and "extended" not in wanted:
            continue
        print("wrote", store(case_name, run_lavaan_options(make_model(), make_data(), options)))
