"""Part III: pages, glue keys, references, and the capstone district (world, data, no leaks)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang.world import DEFAULT_WORLD, items_of
from chaoyang.data.capstone import capstone_transcripts
from chaoyang.sim.pilot import subsidy_pilot
from chaoyang.teaching.capstone import CAPSTONE_FILES, write_capstone
from chaoyang.world import capstone

ROOT = Path(__file__).resolve().parents[1]
EFFECTS = ROOT / "book" / "effects"
KEY_PAGE = ROOT / "book" / "appendix" / "capstone-key.md"
CAPSTONE_DIR = ROOT / "datasets" / "capstone"
PAGES = ["index.md", "evidence.md", "replicability.md", "policy.md", "limitations.md", "capstone.md"]
ALL_PAGES = [EFFECTS / p for p in PAGES] + [KEY_PAGE]

GLUE_ROLE = re.compile(r"\{glue(?::text|:any)?\}`([^`]+)`")
CITE_ROLE = re.compile(r"\{cite(?::[pt])?\}`([^`]+)`")
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`<>]+)>?`")  # {doc}`target` or {doc}`title <target>`
NUMREF_ROLE = re.compile(r"\{numref\}`([^`<]+)`")


def _glue_key(reference: str) -> tuple[str | None, str]:
    """Split ``path::key:format`` into (path or None, key)."""
    path, key = reference.split("::", 1) if "::" in reference else (None, reference)
    if ":" in key:  # a format spec follows the last colon, e.g. key:.3f
        key = key.rsplit(":", 1)[0]
    return path, key


GLUE_CALL = re.compile(r"""glue\(\s*(f?)(["'])(.*?)\2""")


def _code(path: Path) -> str:
    """The code a page or notebook runs: code cells of an .ipynb, the whole text of a MyST page."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text)["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _glued_keys(path: Path) -> list[re.Pattern]:
    """Patterns for the keys glued in a file; an f-string key such as f"med_{pathway}_ind1" becomes a
    pattern in which each placeholder stands for an identifier-like part."""
    patterns = []
    for is_fstring, _, key in GLUE_CALL.findall(_code(path)):
        if is_fstring:
            parts = re.split(r"\{[^{}]*\}", key)
            patterns.append(re.compile("[A-Za-z0-9_]+".join(re.escape(part) for part in parts)))
        else:
            patterns.append(re.compile(re.escape(key)))
    return patterns


def _glue_source(page: Path, path: str | None) -> Path:
    if path is None:
        return page
    # a path starting with / is relative to the book's root, as in Sphinx
    return ROOT / path[1:] if path.startswith("/") else page.parent / path


# ---------------------------------------------------------------- pages
def test_every_page_exists_and_has_objectives_and_summary():
    for page in ALL_PAGES:
        text = page.read_text(encoding="utf-8")
        assert text.startswith(("# ", "---")), page
        if page.name != "index.md":
            assert "## Summary" in text or page == KEY_PAGE, f"{page.name} has no Summary section"
            assert "Learning objectives" in text or page == KEY_PAGE, f"{page.name} has no learning objectives"


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.name)
def test_every_glued_value_is_glued(page):
    """Each {glue:text}`key` must be glued: in the same page, or in the notebook named by path::key."""
    text = page.read_text(encoding="utf-8")
    for reference in GLUE_ROLE.findall(text):
        path, key = _glue_key(reference)
        source = _glue_source(page, path)
        assert source.is_file(), f"{page.name}: glue source {path!r} does not exist"
        assert any(p.fullmatch(key) for p in _glued_keys(source)), \
            f"{page.name}: {key!r} is never glued in {path or 'the page itself'}"


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.name)
def test_cross_page_glue_has_a_format(page):
    """myst-nb splits the format at the last colon, so `path::key` without `:fmt` would lose its key."""
    for reference in GLUE_ROLE.findall(page.read_text(encoding="utf-8")):
        if "::" in reference:
            assert ":" in reference.split("::", 1)[1], f"{page.name}: {reference!r} needs a format, e.g. :s"


def test_glue_key_patterns_match_only_their_own_keys():
    # the f-string pattern must not swallow keys with a different prefix or an extra suffix
    patterns = _glued_keys(ROOT / "notebooks" / "03_mediation.ipynb")
    assert any(p.fullmatch("med_party_ind1_lo") for p in patterns)
    assert not any(p.fullmatch("qca_solution") for p in patterns)
    assert not any(p.fullmatch("med_party ind1") for p in patterns)


# Which chapter must supply each hypothesis's result in the summary table, and with which keys.
EVIDENCE_SOURCES = {
    "H0": ("01_grounded_coding", ["gt_n_categories_found", "gt_n_pathways", "gt_verdict"]),
    "H4": ("05_fsqca", ["qca_solution", "qca_solution_consistency", "qca_solution_coverage", "qca_h4_verdict"]),
    # H5 as the dissertation states it (levels), then the kit's addition (willingness and participation)
    "H5": ("04_participation", ["par_h5_n_high", "par_h5_n_forms", "par_h5_verdict", "par_rho_min", "par_rho_max",
                                "par_link_verdict"]),
    "H6": ("07_effects_stakeholders", ["eff_part_final_diff", "eff_part_final_diff_lo", "eff_part_final_diff_hi",
                                       "eff_cpp_e", "eff_cpp_s", "eff_net_diff", "eff_net_diff_lo",
                                       "eff_net_diff_hi", "eff_h6_verdict"]),
}
for _h, _pathway in enumerate(("party", "police", "brand"), start=1):
    for _j, _letter in enumerate("abc", start=1):
        EVIDENCE_SOURCES[f"H{_h}{_letter}"] = (
            "03_mediation", [f"med_{_pathway}_ind{_j}", f"med_{_pathway}_ind{_j}_lo", f"med_{_pathway}_ind{_j}_hi",
                             f"med_{_pathway}_type{_j}"])


def _evidence_table_rows() -> dict[str, str]:
    text = (EFFECTS / "evidence.md").read_text(encoding="utf-8")
    table = text[text.index("```{list-table}"):]
    table = table[:table.index("\n```\n")]
    rows = re.split(r"^\* - ", table, flags=re.M)[2:]  # [0] is the directive, [1] the header row
    return {row.split("\n", 1)[0].strip(): row for row in rows}


def test_evidence_table_takes_each_result_from_its_chapter():
    rows = _evidence_table_rows()
    assert sorted(rows) == sorted(EVIDENCE_SOURCES)
    for hypothesis, (notebook, keys) in EVIDENCE_SOURCES.items():
        references = {_glue_key(r) for r in GLUE_ROLE.findall(rows[hypothesis])}
        for key in keys:
            assert (f"/notebooks/{notebook}.ipynb", key) in references, \
                f"{hypothesis}: the table does not paste {key} from {notebook}"
        assert f"../../notebooks/{notebook}" in DOC_ROLE.findall(rows[hypothesis]), \
            f"{hypothesis}: no link to {notebook}"


def test_evidence_page_computes_no_result_of_its_own():
    text = (EFFECTS / "evidence.md").read_text(encoding="utf-8")
    assert not GLUE_CALL.search(text), "evidence.md glues a value itself; paste it from the chapter instead"
    local = [r for r in GLUE_ROLE.findall(text) if "::" not in r]
    assert not local, f"evidence.md pastes values that no chapter glued: {local}"
    # no hand-typed numbers in the prose: outside code cells, a decimal number can only come from glue
    prose = re.sub(r"```\{code-cell\}.*?```", "", text.split("\n---\n", 1)[1], flags=re.S)
    prose = GLUE_ROLE.sub("", prose)
    assert not re.findall(r"(?<![\w.])-?\d+\.\d+", prose), "a decimal number is typed in the prose of evidence.md"


def test_evidence_figure_uses_the_mediation_chapters_call():
    """The forest plot is redrawn on the page; it must fit exactly the chapter's models."""
    fit_call = re.compile(r"sem\.fit\(lab_syntax\([^()]*\),[^()]*\)")
    chapter = fit_call.findall(_code(ROOT / "notebooks" / "03_mediation.ipynb"))
    page = fit_call.findall((EFFECTS / "evidence.md").read_text(encoding="utf-8"))
    assert len(chapter) >= 1 and len(page) == 1
    assert page[0] == chapter[0], f"evidence.md fits {page[0]!r}, the chapter {chapter[0]!r}"


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.name)
def test_citations_exist_in_references(page):
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    known = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M))
    for group in CITE_ROLE.findall(page.read_text(encoding="utf-8")):
        for key in (k.strip() for k in group.split(",")):
            assert key in known, f"{page.name} cites {key!r}, which is not in book/references.bib"


def _chapter_figure_names() -> set[str]:
    """Figure labels set in the method chapters' cell metadata (mystnb.figure.name)."""
    names = set()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            name = cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")
            if name:
                names.add(name)
    return names


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.name)
def test_doc_links_and_numrefs_resolve(page):
    text = page.read_text(encoding="utf-8")
    for target in DOC_ROLE.findall(text):
        assert (page.parent / f"{target}.md").is_file() or (page.parent / f"{target}.ipynb").is_file(), \
            f"{page.name}: {{doc}} target {target!r} does not exist"
    labels = _chapter_figure_names()
    for other in ALL_PAGES:
        other_text = other.read_text(encoding="utf-8")
        labels |= set(re.findall(r"^\s*name:\s*(\S+)", other_text, flags=re.M))
        labels |= set(re.findall(r"^:name:\s*(\S+)", other_text, flags=re.M))
    for label in NUMREF_ROLE.findall(text):
        assert label in labels, f"{page.name}: {{numref}} label {label!r} is defined nowhere in Part III or the chapters"


def test_new_references_are_complete():
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    for key in ("bollen2013eight", "maxwell2007bias", "grimm2020odd", "luo2016chaoyang", "du2021capital"):
        entry = bib[bib.index("{" + key + ","):]
        entry = entry[: entry.index("\n}") + 2]
        for field in ("author", "title", "year"):
            assert re.search(rf"^\s*{field}\s*=", entry, flags=re.M), f"{key} lacks {field}"
        assert "doi" in entry or "url" in entry, f"{key} has neither a DOI nor a URL"
        assert bib.count("{" + key + ",") == 1, f"{key} is defined twice"


# ---------------------------------------------------------------- the capstone world
def test_capstone_world_differs_exactly_as_documented():
    differing = {f.name for f in dataclasses.fields(DEFAULT_WORLD)
                 if getattr(DEFAULT_WORLD, f.name) != getattr(capstone.CAPSTONE_WORLD, f.name)}
    assert differing == set(capstone.CAPSTONE_CHANGES)
    changed_paths = {k for k in DEFAULT_WORLD.paths
                     if DEFAULT_WORLD.paths[k] != capstone.CAPSTONE_WORLD.paths[k]}
    assert changed_paths == set(capstone.CAPSTONE_PATH_CHANGES)
    assert set(capstone.CAPSTONE_WORLD.paths) == set(DEFAULT_WORLD.paths)
    removed = set(DEFAULT_WORLD.configurations) - set(capstone.CAPSTONE_WORLD.configurations)
    assert removed == {capstone.CAPSTONE_MISSING_CONFIGURATION}
    assert set(capstone.CAPSTONE_WORLD.configurations) < set(DEFAULT_WORLD.configurations)


def test_capstone_simulation_differs_only_in_crowding_out():
    from chaoyang.sim.parameters import PARAMETERS

    assert set(capstone.CAPSTONE_SIM_PARAMS) == {"crowding_out"}
    # "strong": at least three times the book's default, and inside the parameter's valid range
    default = PARAMETERS["crowding_out"].default
    value = capstone.CAPSTONE_SIM_PARAMS["crowding_out"]
    assert value >= 3 * default
    assert PARAMETERS["crowding_out"].low <= value <= PARAMETERS["crowding_out"].high


def test_weak_pathway_is_weak_in_truth_and_others_are_not():
    weak = capstone.CAPSTONE_WEAK_PATHWAY
    book, linhe = DEFAULT_WORLD.pathway_truth(weak), capstone.CAPSTONE_WORLD.pathway_truth(weak)
    assert linhe["ind1"] < 0.1 * book["ind1"]
    for other in {"party", "police", "brand"} - {weak}:
        assert abs(capstone.CAPSTONE_WORLD.pathway_truth(other)["ind1"] - DEFAULT_WORLD.pathway_truth(other)["ind1"]) < 0.02


# ---------------------------------------------------------------- the capstone data
def test_capstone_data_regenerate_byte_for_byte(tmp_path):
    sums = write_capstone(tmp_path)
    assert sorted(sums) == sorted(CAPSTONE_FILES)
    for name in [*CAPSTONE_FILES, "SHA256SUMS"]:
        assert (tmp_path / name).read_bytes() == (CAPSTONE_DIR / name).read_bytes(), \
            f"datasets/capstone/{name} differs from the generator; run `python -m chaoyang.teaching.capstone`"


def test_capstone_checksums_match_files():
    lines = (CAPSTONE_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(CAPSTONE_FILES)
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((CAPSTONE_DIR / name).read_bytes()).hexdigest() == digest, name


def test_capstone_transcripts_are_well_formed():
    docs = capstone_transcripts()
    assert [d["id"] for d in docs] == ["C01", "C02", "C03"]
    for doc in docs:
        words = sum(len(doc["text"][t["start"]:t["end"]].split()) for t in doc["turns"])
        assert 600 <= words <= 900, f"{doc['id']} has {words} words"
        assert doc["street"] in capstone.CAPSTONE_STREETS
        assert not doc["holdout"]


def test_capstone_survey_uses_the_capstone_world():
    survey = pd.read_csv(CAPSTONE_DIR / "survey.csv")
    assert len(survey) == capstone.CAPSTONE_SURVEY_SIZE[0]
    assert survey["community_id"].nunique() == capstone.CAPSTONE_SURVEY_SIZE[1]
    assert set(survey["street"]) <= set(capstone.CAPSTONE_STREETS)
    assert set(survey["street"]).isdisjoint(DEFAULT_WORLD.streets)


LEAKS = [capstone.CAPSTONE_MISSING_CONFIGURATION, capstone.CAPSTONE_MISSING_CONFIGURATION.replace("*", r"\*"),
         "crowding_out", "crowding out is strong", "strong crowding", "weak pathway", "missing configuration",
         f"{capstone.CAPSTONE_WEAK_PATHWAY} pathway is weak", f"weak {capstone.CAPSTONE_WEAK_PATHWAY}",
         str(capstone.CAPSTONE_CHANGES["seed"]), "CAPSTONE_WORLD", "CAPSTONE_CHANGES"]
LEAKS += [f"{v:.2f}" for v in capstone.CAPSTONE_PATH_CHANGES.values()]
LEAKS += [f"{v:g}" for v in capstone.CAPSTONE_SIM_PARAMS.values()]


@pytest.mark.parametrize("path", [EFFECTS / "capstone.md", CAPSTONE_DIR / "README.md",
                                  ROOT / "src" / "chaoyang" / "authored" / "capstone" / "README.template.md"],
                         ids=lambda p: p.name)
def test_student_material_does_not_leak_the_truth(path):
    text = path.read_text(encoding="utf-8")
    for token in LEAKS:
        assert token.lower() not in text.lower(), f"{path.name} leaks {token!r}"


def test_key_page_states_the_truth_from_the_module():
    text = KEY_PAGE.read_text(encoding="utf-8")
    assert "CAPSTONE_WEAK_PATHWAY" in text and "CAPSTONE_MISSING_CONFIGURATION" in text
    assert "CAPSTONE_SIM_PARAMS" in text


# ---------------------------------------------------------------- the truth is recoverable from the data
def _specific_indirect(survey, pathway):
    from chaoyang import sem
    from chaoyang.data import scored_items
    from chaoyang.world import PATHWAYS

    spec = PATHWAYS[pathway]
    constructs = [spec["driver"], *spec["mediators"], "WIL"]
    syntax = sem.parallel_mediation_syntax(spec["driver"], list(spec["mediators"]), "WIL",
                                           measurement={c: [i.column for i in items_of(c)] for c in constructs})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        columns = [i.column for c in constructs for i in items_of(c)]
        result = sem.fit(syntax, scored_items(survey)[columns])
    return result.parameter("ind1")


def test_capstone_sem_shows_the_weak_pathway():
    survey = pd.read_csv(CAPSTONE_DIR / "survey.csv", dtype_backend="numpy_nullable")
    weak = _specific_indirect(survey, capstone.CAPSTONE_WEAK_PATHWAY)
    book_truth = DEFAULT_WORLD.pathway_truth(capstone.CAPSTONE_WEAK_PATHWAY)["ind1"]
    assert float(weak["ci.upper"]) < book_truth, "the book's value should lie above the Linhe interval"
    strong = _specific_indirect(survey, "party")
    assert float(strong["ci.lower"]) > 0


def _parsimonious_terms(survey):
    from chaoyang import qca
    from chaoyang.data import composite_scores

    mediators = ["BEL", "CLO", "BID", "EE", "RES"]
    scores = composite_scores(survey, [*mediators, "WIL"]).dropna().astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ties at the crossover are nudged to 0.501, as in the book's pages
        memberships = pd.DataFrame({c: qca.calibrate_percentiles(scores[c], lower=10, cross=60, upper=95)
                                    for c in scores})
        table = qca.truth_table(memberships, "WIL", mediators, incl_cut=0.80, n_cut=10, pri_cut=0.50)
        return qca.minimize(table, include="?").models[0].terms


def test_capstone_qca_misses_the_removed_configuration():
    from chaoyang.data import load

    missing = capstone.CAPSTONE_MISSING_CONFIGURATION
    book_terms = _parsimonious_terms(load("survey"))
    linhe_terms = _parsimonious_terms(pd.read_csv(CAPSTONE_DIR / "survey.csv", dtype_backend="numpy_nullable"))
    assert missing in book_terms
    assert missing not in linhe_terms
    assert "BEL*RES" in linhe_terms


def test_pilot_shows_stronger_crowding_out_than_the_default():
    pilot = pd.read_csv(CAPSTONE_DIR / "subsidy_pilot.csv")
    stop = capstone.PILOT_DESIGN["stop_day"]

    def after_ratio(frame):
        after = frame.loc[frame["day"] > stop + 30]
        means = after.groupby("arm")["participation_rate"].mean()
        return means["pilot"] / means["comparison"]

    assert set(pilot["arm"]) == {"pilot", "comparison"}
    assert (pilot.loc[pilot["arm"] == "comparison", "subsidy_paid"] == 0).all()
    assert (pilot.loc[(pilot["arm"] == "pilot") & (pilot["day"] > stop), "subsidy_paid"] == 0).all()
    default_pilot = subsidy_pilot(capstone.CAPSTONE_WORLD, sim_params={})
    assert after_ratio(pilot) < 0.5 * after_ratio(default_pilot)
