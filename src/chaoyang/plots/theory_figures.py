"""Figures of Part I (theory and the case), drawn in code and saved as SVG.

Every figure in ``book/theory/figures/`` is produced by one function here, so that a reader can
see how it was made and an editor can change it in one place. The figures are diagrams and
annotated timelines, not data analyses: where a number appears it is a figure *reported* by a
named source (given in the chapter's caption and in ``book/references.bib``), or it is a score
the chapter's worked example assigns and explains.

Run ``python -m chaoyang.plots.theory_figures`` (or this file) to redraw every figure; the SVG
output is deterministic (fixed hash salt, no date stamp), so an unchanged figure gives an
unchanged file.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> from chaoyang.plots import theory_figures
>>> with tempfile.TemporaryDirectory() as tmp:
...     written = theory_figures.draw_all(Path(tmp))
>>> sorted(p.name for p in written)[:2]
['case-reported-scale.svg', 'framework-eca-model.svg']
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from chaoyang.i18n import N_, get_language, t, use_cjk_font  # noqa: E402

#: Where the book expects the figures, relative to the repository root.
FIGURE_DIR = Path(__file__).resolve().parents[3] / "book" / "theory" / "figures"

# One palette for the three pathways, used in every figure that shows them.
PATHWAY_COLOURS = {"party": "#c0392b", "police": "#1f4e79", "brand": "#b7791f", "shared": "#4d4d4d"}


def _setup() -> None:
    """Make SVG output reproducible and text readable."""
    matplotlib.rcParams["svg.hashsalt"] = "chaoyang-part1"
    matplotlib.rcParams["font.family"] = "DejaVu Sans"
    matplotlib.rcParams["font.size"] = 10
    if get_language() == "en":
        matplotlib.rcParams["svg.fonttype"] = "none"  # keep text as text: searchable, small files
    else:
        # Chinese text as glyph outlines: the SVG then renders the same without a CJK font installed.
        matplotlib.rcParams["svg.fonttype"] = "path"
        use_cjk_font(strict=True)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return path


def _box(ax, xy, text, colour, width=2.2, height=0.8, fontsize=9, text_colour="white"):
    """Draw a rounded box centred on ``xy`` and return its centre."""
    x, y = xy
    patch = FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                           boxstyle="round,pad=0.02,rounding_size=0.12",
                           facecolor=colour, edgecolor="black", linewidth=0.8)
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=text_colour, wrap=True)
    return xy


def _arrow(ax, start, end, colour="black", label=None, style="-|>", lw=1.2, shrink=30, label_offset=(0, 0.12)):
    arrow = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=colour,
                            linewidth=lw, shrinkA=shrink, shrinkB=shrink)
    ax.add_patch(arrow)
    if label:
        mx, my = (start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, fontsize=8, ha="center", va="center", color=colour,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})


# ----------------------------------------------------------------------------------------------
# Chapter 1: mass prevention and governance in China
# ----------------------------------------------------------------------------------------------
#: (sort year, date as printed, label, source key, kind) for the timeline; every event is documented
#: in the chapter with the same source. ``kind`` is "national" for national policy and history,
#: "chaoyang" for events specific to the Chaoyang residents. The date column prints only as much
#: precision as the source supports (the public-security committees are dated "early 1950s").
TIMELINE_EVENTS: tuple[tuple[float, str, str, str, str], ...] = (
    (1943, "1943", N_("Mao: 'from the masses,\nto the masses' (mass line)"), "mao1965some", "national"),
    (1952, N_("early 1950s"), N_("Public-security committees\n(zhibaohui) formed"), "zhong2018zhibaohui", "national"),
    (1963, "1963", N_("Mao endorses the Fengqiao\nexperience (Nov)"), "xzdw2023fengqiao", "national"),
    (1974, "1974", N_("People's Daily credits Chaoyang\nresidents in a spy case"), "globaltimes2021chaoyang", "chaoyang"),
    (1983, "1983", N_("'Strike Hard' (yanda)\nanti-crime campaign"), "tanner2000coercion", "national"),
    (1991, "1991", N_("Decision on comprehensive\nmanagement of public security"), "ccp1991decision", "national"),
    (2003, "2003", N_("40th anniversary: Xi (Zhejiang)\ncalls to develop Fengqiao"), "xzdw2023fengqiao", "national"),
    (2004, "2004", N_("Dongcheng urban-management\ngrid (10,000 m2 cells)"), "jiang2010dongcheng", "national"),
    (2008, "2008", N_("Olympics: 600,000+ 'security\nvolunteers' enlisted"), "fan2008olympic", "national"),
    (2013, "2013", N_("50th anniversary: Fengqiao\npromoted nationally"), "bandurski2013fengqiao", "national"),
    (2013.5, "2013", N_("Xue Manzi case: tip credited\nto 'Chaoyang masses'"), "luo2016chaoyang", "chaoyang"),
    (2014, "2014", N_("Celebrity drug arrests credited\nto 'Chaoyang residents'"), "luo2016chaoyang", "chaoyang"),
    (2014.7, "2014", N_("Beijing police: cash rewards\nfor drug tips (Sep)"), "globaltimes2018drugtips", "chaoyang"),
    (2015, "2015", N_("Opinions on the prevention-\nand-control system (Apr)"), "gov2015fangkong", "national"),
    (2017, "2017", N_("Chaoyang Residents app (Feb);\nXi's red-armband remark"), "hkfp2017app", "chaoyang"),
    (2022, "2022", N_("20th Party Congress: 'boost public\nparticipation in crime prevention'"), "xi2022report", "national"),
)

#: Vertical offsets for the labels, used in turn, so that neighbouring labels never overlap.
_TIMELINE_LEVELS = (0.55, -0.55, 1.45, -1.45)


def mass_prevention_timeline(path: Path) -> Path:
    """Timeline of mass prevention from the mass line to the 20th Party Congress.

    Parameters
    ----------
    path : pathlib.Path
        SVG file to write.

    Returns
    -------
    pathlib.Path
        ``path``, after writing.
    """
    _setup()
    fig, ax = plt.subplots(figsize=(14, 5.6))
    # Events are placed at equal spacing (the gaps between them range from under a year to two
    # decades, so a linear time axis would pile the recent events on top of each other).
    ax.axhline(0, color="black", linewidth=1)
    colours = {"national": PATHWAY_COLOURS["party"], "chaoyang": PATHWAY_COLOURS["police"]}
    for i, (_year, date, label, _source, kind) in enumerate(TIMELINE_EVENTS):
        height = _TIMELINE_LEVELS[i % len(_TIMELINE_LEVELS)]
        colour = colours[kind]
        ax.plot([i, i], [0, height * 0.92], color=colour, linewidth=0.8)
        ax.plot(i, 0, "o", color=colour, markersize=6)
        ax.text(i, height, f"{t(date)}\n{t(label)}" if height > 0 else f"{t(label)}\n{t(date)}",
                ha="center", va="bottom" if height > 0 else "top", fontsize=7)
    ax.set_xlim(-1.0, len(TIMELINE_EVENTS))
    ax.set_ylim(-2.35, 2.35)
    ax.axis("off")
    ax.text(len(TIMELINE_EVENTS) / 2 - 0.5, -2.3,
            t("Events in order; spacing is not proportional to time. "
              "Red: national policy and history; blue: the 'Chaoyang residents'."),
            ha="center", fontsize=8)
    ax.set_title(t("From the mass line to 'Chaoyang residents': a sourced timeline"), fontsize=11)
    return _save(fig, path)


# ----------------------------------------------------------------------------------------------
# Chapter 2: governance theories and what they predict about participation
# ----------------------------------------------------------------------------------------------
#: Rows: theories; columns: drivers of resident participation. Cell = 2 central, 1 secondary,
#: 0 not addressed. These are the chapter's reading of each theory, explained in its table.
GOVERNANCE_THEORIES = (N_("Governance\n(Rhodes; Stoker)"), N_("Collaborative\ngovernance"), N_("Co-production"),
                       N_("Polycentric\ngovernance"), N_("Community\npolicing"), N_("Collective\nefficacy"))
GOVERNANCE_DRIVERS = (N_("Networks &\npartnership"), N_("Trust &\nfair process"), N_("Shared\ncapacity/skills"),
                      N_("Local\nautonomy"), N_("Police\npresence"), N_("Social\ncohesion"))
GOVERNANCE_MATRIX = (
    (2, 1, 1, 1, 0, 0),
    (2, 2, 1, 0, 0, 0),
    (1, 1, 2, 1, 0, 1),
    (1, 0, 1, 2, 0, 0),
    (1, 2, 1, 0, 2, 1),
    (0, 2, 0, 1, 0, 2),
)


def governance_matrix(path: Path) -> Path:
    """Heat-map of which participation drivers each governance theory puts at its centre."""
    _setup()
    fig, ax = plt.subplots(figsize=(8.2, 5.2))
    cmap = matplotlib.colors.ListedColormap(["#f2f2f2", "#9ecae1", "#1f4e79"])
    ax.imshow(GOVERNANCE_MATRIX, cmap=cmap, vmin=-0.5, vmax=2.5, aspect="auto")
    words = {0: "–", 1: t("secondary"), 2: t("central")}
    for r, row in enumerate(GOVERNANCE_MATRIX):
        for c, value in enumerate(row):
            ax.text(c, r, words[value], ha="center", va="center", fontsize=8,
                    color="white" if value == 2 else "black")
    ax.set_xticks(range(len(GOVERNANCE_DRIVERS)), [t(d) for d in GOVERNANCE_DRIVERS], fontsize=8)
    ax.set_yticks(range(len(GOVERNANCE_THEORIES)), [t(theory) for theory in GOVERNANCE_THEORIES], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_title(t("What each theory puts at the centre of resident participation\n(the chapter's reading)"),
                 fontsize=10, pad=42)
    return _save(fig, path)


# ----------------------------------------------------------------------------------------------
# Chapter 3: mobilization versus incentives (schematic of motivation crowding)
# ----------------------------------------------------------------------------------------------
def crowding_schematic(path: Path) -> Path:
    """Schematic of motivation crowding: participation as a function of a per-act payment.

    The curves are illustrative shapes, not estimates: a standard price effect (participation
    rises with pay) and a crowding-out effect (a small payment first lowers participation by
    turning a civic act into a transaction, as in Gneezy & Rustichini 2000), whose sum dips
    below the unpaid level before recovering at high pay.
    """
    import numpy as np

    _setup()
    pay = np.linspace(0, 10, 201)
    baseline = 0.55
    price_effect = 0.035 * pay
    crowding = -0.22 * (1 - np.exp(-2.0 * pay))
    total = baseline + price_effect + crowding
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    ax.plot(pay, baseline + price_effect, "--", color=PATHWAY_COLOURS["shared"],
            label=t("Price effect only (standard economics)"))
    ax.plot(pay, total, color=PATHWAY_COLOURS["party"], linewidth=2,
            label=t("Price effect + crowding-out of civic motivation"))
    ax.axhline(baseline, color=PATHWAY_COLOURS["police"], linestyle=":",
               label=t("Unpaid, emotionally committed participation"))
    dip = int(np.argmin(total))
    ax.annotate(t("'Pay enough or don't pay at all'"), xy=(pay[dip], total[dip]),
                xytext=(4.2, 0.30), arrowprops={"arrowstyle": "->"}, fontsize=8)
    ax.set_xlabel(t("Subsidy per act of participation (arbitrary units)"))
    ax.set_ylabel(t("Share of residents participating\n(illustrative)"))
    ax.set_ylim(0.2, 1.0)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.set_title(t("Motivation crowding: a schematic, not an estimate"), fontsize=10)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    return _save(fig, path)


# ----------------------------------------------------------------------------------------------
# Chapter 4: interaction ritual chains
# ----------------------------------------------------------------------------------------------
def irc_model(path: Path) -> Path:
    """Collins's interaction ritual model: ingredients, the central process, outcomes, feedback."""
    _setup()
    fig, ax = plt.subplots(figsize=(10, 5.2))
    ax.set_xlim(0, 12)
    ax.axis("off")
    ingredients = [t("Bodily co-presence\n(group assembly)"), t("Barrier to outsiders"),
                   t("Mutual focus\nof attention"), t("Shared mood")]
    outcomes = [t("Group solidarity"), t("Emotional energy\n(individual)"),
                t("Symbols of the group\n(sacred objects)"), t("Standards of morality")]
    grey = "#d9d9d9"
    for i, text in enumerate(ingredients):
        _box(ax, (1.6, 6 - 1.45 * i), text, grey, width=2.6, height=0.9, text_colour="black")
        _arrow(ax, (2.9, 6 - 1.45 * i), (4.6, 3.8), colour="black", shrink=4)
    _box(ax, (6.0, 3.8), t("Collective\neffervescence:\nrhythmic entrainment,\nfeedback of focus\nand mood"),
         PATHWAY_COLOURS["party"], width=2.8, height=2.0)
    for i, text in enumerate(outcomes):
        _box(ax, (10.3, 6 - 1.45 * i), text, PATHWAY_COLOURS["police"], width=2.8, height=0.9)
        _arrow(ax, (7.4, 3.8), (8.9, 6 - 1.45 * i), colour="black", shrink=4)
    # The chain: outcomes feed the next ritual.
    ax.set_ylim(-0.9, 7)
    chain = FancyArrowPatch((10.3, 1.2), (1.6, 1.2), connectionstyle="arc3,rad=-0.18",
                            arrowstyle="-|>", mutation_scale=12, color=PATHWAY_COLOURS["brand"], linewidth=1.6)
    ax.add_patch(chain)
    ax.text(6.0, -0.75, t("Chain over time: energy and symbols carried into the next encounter"),
            ha="center", fontsize=8.5, color=PATHWAY_COLOURS["brand"])
    ax.text(1.6, 6.8, t("Ritual ingredients"), ha="center", fontsize=10, weight="bold")
    ax.text(6.0, 6.8, t("Process"), ha="center", fontsize=10, weight="bold")
    ax.text(10.3, 6.8, t("Ritual outcomes"), ha="center", fontsize=10, weight="bold")
    return _save(fig, path)


#: Worked example of chapter 4: three scenes scored 0-3 on each ingredient (see the chapter).
RITUAL_SCENES = (N_("Evening patrol\n(red armbands)"), N_("Community\nfestival"), N_("Building\nWeChat group"))
RITUAL_INGREDIENTS = (N_("Co-presence"), N_("Barrier to outsiders"), N_("Mutual focus"), N_("Shared mood"))
RITUAL_SCORES = ((3, 2, 3, 2), (3, 1, 2, 3), (0, 2, 2, 1))


def ritual_scores(path: Path) -> Path:
    """Grouped bars: the worked example's ingredient scores for three scenes (0 = absent, 3 = strong)."""
    import numpy as np

    _setup()
    fig, ax = plt.subplots(figsize=(7.6, 4.0))
    x = np.arange(len(RITUAL_SCENES))
    width = 0.2
    colours = ["#4d4d4d", "#b7791f", "#1f4e79", "#c0392b"]
    for j, ingredient in enumerate(RITUAL_INGREDIENTS):
        values = [scores[j] for scores in RITUAL_SCORES]
        ax.bar(x + (j - 1.5) * width, values, width, label=t(ingredient), color=colours[j])
    totals = [sum(s) for s in RITUAL_SCORES]
    for xi, total in zip(x, totals):
        ax.text(xi, 3.25, t("total {total}/12", total=total), ha="center", fontsize=8)
    ax.set_xticks(x, [t(scene) for scene in RITUAL_SCENES])
    ax.set_ylim(0, 3.6)
    ax.set_yticks(range(4), [t("0 absent"), t("1 weak"), t("2 moderate"), t("3 strong")])
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    ax.set_title(t("Worked example: scoring three scenes on Collins's four ingredients"), fontsize=10)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    return _save(fig, path)


# ----------------------------------------------------------------------------------------------
# Chapter 5: the case: what is reported, by whom
# ----------------------------------------------------------------------------------------------
#: (value, what, who reported it, when). Every row is cited in the chapter's table.
REPORTED_PEOPLE = (
    (850_000, N_("Beijing: registered public security\nvolunteers (city figure)"), "Straits Times/AFP", "2017"),
    (130_000, N_("Chaoyang: residents registered as\nsocial-order volunteers"), "Global Times", N_("Jul 2017")),
    (60_000, N_("Chaoyang: active tipsters"), "Global Times", N_("Jul 2017")),
    (60_000, N_("Chaoyang Residents app:\nregistered users"), "Global Times", N_("Jul 2017")),
)
REPORTED_TIPS = (
    (210_000, N_("Clues from Chaoyang residents,\nfirst ten months of 2015"), "Beijing News", N_("Feb 2016")),
    (4_378, N_("... of which classed as valuable"), "Beijing News", N_("Feb 2016")),
    (1_023, N_("Cases solved on those clues"), "Beijing News", N_("Feb 2016")),
    (20_000, N_("Clues per month from about\n60,000 tipsters"), "Global Times", N_("Jul 2017")),
    (2_000, N_("Tips via the app, April 2017"), "Global Times", N_("Jul 2017")),
    (87, N_("Criminal cases busted after\napp tips, April 2017"), "Global Times", N_("Jul 2017")),
)


def case_reported_scale(path: Path) -> Path:
    """Two dot plots (log scale) of the scale figures reported for the case, with their sources."""
    _setup()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    for ax, rows, title, colour in ((axes[0], REPORTED_PEOPLE, t("People"), PATHWAY_COLOURS["police"]),
                                    (axes[1], REPORTED_TIPS, t("Tips and cases"), PATHWAY_COLOURS["party"])):
        labels = [f"{t(what)}\n[{who}, {t(when)}]" for _v, what, who, when in rows]
        values = [v for v, *_ in rows]
        y = list(range(len(rows)))[::-1]
        ax.hlines(y, 1, values, color="#bdbdbd")
        ax.plot(values, y, "o", color=colour)
        for yi, v in zip(y, values):
            ax.text(v * 1.25, yi, f"{v:,}", va="center", fontsize=8)
        ax.set_xscale("log")
        ax.set_xlim(50, 5_000_000)
        ax.set_yticks(y, labels, fontsize=7.5)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(t("Reported number (log scale)"))
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
    fig.suptitle(t("Scale of 'Chaoyang residents' as reported in the press (not independently verified)"),
                 fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


# ----------------------------------------------------------------------------------------------
# Chapter 6: the interaction-willingness framework
# ----------------------------------------------------------------------------------------------
def framework_model(path: Path) -> Path:
    """The 'emotional commitment arousal' model: eight categories, three pathways, hypotheses."""
    _setup()
    fig, ax = plt.subplots(figsize=(11.5, 6.4))
    ax.set_xlim(0, 14)
    ax.set_ylim(0, 8)
    ax.axis("off")
    c = PATHWAY_COLOURS
    drivers = {"party": (1.7, 6.6, t("Interaction scenarios\n(party organization)\n→ cohesion COH")),
               "police": (1.7, 4.0, t("Presence & actions of\ncommunity police\n→ relations PCR")),
               "brand": (1.7, 1.4, t("Dissemination of the\n'Chaoyang Residents' brand\n→ reputation BRP"))}
    specific = {"party": (5.6, 7.1, t("Community belonging\nBEL")),
                "police": (5.6, 4.0, t("Police–resident\ncloseness CLO")),
                "brand": (5.6, 0.9, t("Brand identity\nBID"))}
    shared = {"EE": (5.6, 5.55, t("Emotional energy\nEE")), "RES": (5.6, 2.45, t("Sense of\nresponsibility RES"))}
    for key, (x, y, text) in drivers.items():
        _box(ax, (x, y), text, c[key], width=3.0, height=1.2, fontsize=8.5)
    for key, (x, y, text) in specific.items():
        _box(ax, (x, y), text, c[key], width=2.4, height=0.9, fontsize=8.5)
    for key, (x, y, text) in shared.items():
        _box(ax, (x, y), text, c["shared"], width=2.4, height=0.9, fontsize=8.5)
    wil = _box(ax, (9.2, 4.0), t("Willingness to\nparticipate\nWIL1–WIL4"), "#2d6a4f", width=2.2, height=1.3)
    par = _box(ax, (12.5, 4.0), t("Participation in\nsix forms\nPAR_*"), "#40916c", width=2.2, height=1.3)
    hyp = {"party": "H1", "police": "H2", "brand": "H3"}
    for key, (x, y, _t) in drivers.items():
        sx, sy, _ = specific[key]
        _arrow(ax, (x + 1.5, y), (sx - 1.2, sy), colour=c[key], shrink=2, label=f"{hyp[key]}a")
        _arrow(ax, (x + 1.5, y), (shared["EE"][0] - 1.2, shared["EE"][1]), colour=c[key], shrink=2, lw=0.8)
        _arrow(ax, (x + 1.5, y), (shared["RES"][0] - 1.2, shared["RES"][1]), colour=c[key], shrink=2, lw=0.8)
        _arrow(ax, (sx + 1.2, sy), (wil[0] - 1.1, wil[1]), colour=c[key], shrink=2)
    for key in ("EE", "RES"):
        sx, sy, _ = shared[key]
        _arrow(ax, (sx + 1.2, sy), (wil[0] - 1.1, wil[1]), colour=c["shared"], shrink=2)
    ax.text(9.2, 6.9, t("a: via the pathway-specific mediator\nb: H1b/H2b/H3b via EE\nc: H1c/H2c/H3c via RES"), fontsize=8, ha="center")
    _arrow(ax, (wil[0] + 1.1, wil[1]), (par[0] - 1.1, par[1]), colour="black", shrink=2, label="H5")
    ax.text(9.2, 2.7, t("H4 (fsQCA): single recognitions\nand combinations each sufficient"), fontsize=8, ha="center")
    ax.text(12.5, 2.7, t("H6 (simulation): vs\neconomic subsidy"), fontsize=8, ha="center")
    ax.text(1.7, 7.75, t("Drivers (categories 1–3)"), ha="center", fontsize=9.5, weight="bold")
    ax.text(5.6, 7.85, t("Mediators (categories 4–8)"), ha="center", fontsize=9.5, weight="bold")
    ax.text(10.85, 5.3, t("Outcomes"), ha="center", fontsize=9.5, weight="bold")
    return _save(fig, path)


#: File name -> drawing function; the chapters include exactly these files.
FIGURES: dict[str, Callable[[Path], Path]] = {
    "mass-prevention-timeline.svg": mass_prevention_timeline,
    "governance-matrix.svg": governance_matrix,
    "mobilization-crowding.svg": crowding_schematic,
    "irc-model.svg": irc_model,
    "irc-scores.svg": ritual_scores,
    "case-reported-scale.svg": case_reported_scale,
    "framework-eca-model.svg": framework_model,
}


def figure_name(name: str, lang: str) -> str:
    """File name of a figure in an edition: ``x.svg`` in English, ``x.zh_CN.svg`` in Chinese.

    The Chinese name is Sphinx's default ``figure_language_filename`` (``{root}.{language}{ext}``),
    so the Chinese build picks it up where a chapter includes ``x.svg``.

    Examples
    --------
    >>> figure_name("irc-model.svg", "zh_CN")
    'irc-model.zh_CN.svg'
    """
    return name if lang == "en" else name.replace(".svg", f".{lang}.svg")


def draw_all(directory: Path = FIGURE_DIR) -> list[Path]:
    """Draw every Part I figure into ``directory``, in the current language (:mod:`chaoyang.i18n`).

    Parameters
    ----------
    directory : pathlib.Path, optional
        Output folder; defaults to ``book/theory/figures`` of this repository.

    Returns
    -------
    list of pathlib.Path
        The files written, one per entry of :data:`FIGURES` (named by :func:`figure_name`).
    """
    directory = Path(directory)
    lang = get_language()
    return [draw(directory / figure_name(name, lang)) for name, draw in FIGURES.items()]


if __name__ == "__main__":
    from chaoyang.i18n import LANGUAGES, language

    for edition in LANGUAGES:  # both editions: x.svg and x.zh_CN.svg
        with language(edition):
            for written in draw_all():
                print(written)
