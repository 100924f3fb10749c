"""Environment check run in the first cell of every notebook.

Readers meet two API breaks most often: mesa 2 -> 3 (``Agent(unique_id, model)`` became
``Agent(model)``; ``mesa.time`` schedulers were removed) and semopy 1 -> 2. This module compares
what is installed with the pins in ``requirements.txt`` and says exactly what to do, in the
language of :mod:`chaoyang.i18n` (English by default; Chinese with ``CHAOYANG_LANG=zh_CN``).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from chaoyang.i18n import N_, t

#: Pins used when requirements.txt is not available (e.g. the package installed on its own on
#: Colab). A test keeps this in sync with requirements.txt.
FALLBACK_PINS = {
    "jupyter-book": "1.0.4.post1",
    "numpy": "2.4.6",
    "pandas": "3.1.1",
    "scipy": "1.17.1",
    "matplotlib": "3.11.2",
    "semopy": "2.3.11",
    "mesa": "3.3.1",
    "networkx": "3.6.1",
    "scikit-learn": "1.9.1",
    "krippendorff": "0.9.0",
    "ipywidgets": "8.1.9",
    "threadpoolctl": "3.8.0",
}

#: What changed between major versions of the packages whose API the kit relies on.
API_NOTES = {
    "mesa": N_("mesa 3 creates agents as Agent(model), not Agent(unique_id, model), and has no mesa.time schedulers."),
    "semopy": N_("semopy 2 fits with Model.fit(obj='MLW') and inspects with Model.inspect(std_est=True)."),
    "jupyter-book": N_("Jupyter Book 2 ignores _config.yml/_toc.yml and cannot build offline; the kit needs 1.x."),
    "pandas": N_("pandas 3 uses copy-on-write and a string dtype; older versions behave differently."),
    "numpy": N_("numpy 2 changed type promotion and removed aliases used by older code."),
}


@dataclass(frozen=True)
class PackageStatus:
    """One row of the environment report."""

    name: str
    pinned: str
    installed: str | None

    @property
    def ok(self) -> bool:
        return self.installed == self.pinned

    def advice(self) -> str:
        if self.installed is None:
            return t("not installed: run  pip install {name}=={pinned}", name=self.name, pinned=self.pinned)
        if self.ok:
            return t("ok")
        installed_major, pinned_major = _major(self.installed), _major(self.pinned)
        if installed_major is not None and pinned_major is not None and installed_major != pinned_major:
            note = t(API_NOTES.get(self.name, N_("Its API may differ from what the notebooks use.")))
            return t("WRONG MAJOR VERSION ({major}.x needed). {note} Run  pip install {name}=={pinned}",
                     major=pinned_major, note=note, name=self.name, pinned=self.pinned)
        return t("differs from the tested pin; if a cell fails, run  pip install {name}=={pinned}",
                 name=self.name, pinned=self.pinned)


def _major(version: str) -> int | None:
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else None


def read_pins(requirements: Path | None = None) -> dict[str, str]:
    """Read ``name==version`` pins from ``requirements.txt``.

    Parameters
    ----------
    requirements : pathlib.Path, optional
        Path of the requirements file; default: the one at the repository root, if the package is
        used from a checkout, else :data:`FALLBACK_PINS`.

    Returns
    -------
    dict
        Lower-case distribution name -> pinned version string.

    Examples
    --------
    >>> pins = read_pins()
    >>> pins["mesa"].startswith("3.")
    True
    """
    path = requirements if requirements is not None else _repo_requirements()
    if path is None or not path.is_file():
        return dict(FALLBACK_PINS)
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*==\s*([^\s;]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def _repo_requirements() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "requirements.txt"
        if candidate.is_file() and (parent / "pyproject.toml").is_file():
            return candidate
    return None


def environment_report(pins: dict[str, str] | None = None) -> list[PackageStatus]:
    """Compare installed versions with the pins.

    Parameters
    ----------
    pins : dict, optional
        Name -> pinned version; default :func:`read_pins`.

    Returns
    -------
    list of PackageStatus
        One entry per pinned package, in the order of the pins.
    """
    pins = read_pins() if pins is None else pins
    report = []
    for name, pinned in pins.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        report.append(PackageStatus(name, pinned, installed))
    return report


def check_env(*, verbose: bool = False, pins: dict[str, str] | None = None) -> bool:
    """Print the installed versions of the pinned packages next to the pins, with advice.

    Run it in the first cell of every notebook. Only problems are listed unless ``verbose``.

    Parameters
    ----------
    verbose : bool, default False
        Print every package, not only those that differ from their pin.
    pins : dict, optional
        Name -> pinned version; default: ``requirements.txt`` of the checkout.

    Returns
    -------
    bool
        True when every pinned package is installed at its pinned version.

    Examples
    --------
    >>> import chaoyang
    >>> chaoyang.check_env()  # doctest: +SKIP
    Python 3.11.7 | all 24 pinned packages match requirements.txt
    """
    report = environment_report(pins)
    python = ".".join(map(str, sys.version_info[:3]))
    problems = [row for row in report if not row.ok]
    if sys.version_info[:2] != (3, 11):
        print(t("Python {python}: the kit is tested on Python 3.11; other versions may resolve other packages.",
                python=python))
    if not problems:
        print(t("Python {python} | all {n} pinned packages match requirements.txt", python=python, n=len(report)))
    else:
        print(t("Python {python} | {n} of {total} pinned packages differ from requirements.txt:", python=python,
                n=len(problems), total=len(report)))
    rows = report if verbose else problems
    if rows:
        width = max(len(r.name) for r in rows)
        print(f"  {t('package'):<{width}}  {t('pinned'):<12} {t('installed'):<12} {t('advice')}")
        for row in rows:
            print(f"  {row.name:<{width}}  {row.pinned:<12} {str(row.installed):<12} {row.advice()}")
    if problems:
        print(t("To install every pin at once:  pip install -r requirements.txt"))
    return not problems
