"""The library speaks Chinese: language setting, the library catalog, figures, glued labels, errors, check_env.

What is checked here, and why each check could fail:

* the language setting reads ``CHAOYANG_LANG`` and refuses anything but English and Chinese, naming the value;
* the shipped ``chaoyang.mo`` is exactly the compilation of ``chaoyang.po`` (an edited .po without a
  recompiled .mo would silently show stale text);
* the catalog holds every message the library and the chapters' code pass to ``t()``/``N_()`` (found by an
  AST scan, not by a list kept by hand), nothing else, each translated, none fuzzy, with the same
  placeholders, and with the glossary's Chinese terms (the book's terminology check, run on this catalog);
* words the catalog shares with the world (community types, construct names) agree with ``chaoyang.world``;
* errors and ``check_env()`` are Chinese under ``CHAOYANG_LANG=zh_CN``, English by default, and name the
  same value;
* Chinese figures resolve a font with a glyph for every Chinese character they draw (no tofu), draw
  without "Glyph missing" warnings, and Chinese SVGs carry outlines, not text that needs a font.
"""

from __future__ import annotations

import ast
import io
import json
import re
import string
import subprocess
import sys
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from chaoyang import i18n
from chaoyang.errors import ArgumentError, ChaoyangError

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _english_session(monkeypatch):
    """Every test starts from the environment's language (unset here: English) and leaves no session setting."""
    monkeypatch.delenv("CHAOYANG_LANG", raising=False)
    i18n.set_language(None)
    yield
    i18n.set_language(None)


# ----------------------------------------------------------------------------- the language setting
def test_language_comes_from_the_environment(monkeypatch):
    assert i18n.get_language() == "en"
    for value, expected in [("zh_CN", "zh_CN"), ("zh", "zh_CN"), ("zh-CN", "zh_CN"), ("en", "en")]:
        monkeypatch.setenv("CHAOYANG_LANG", value)
        assert i18n.get_language() == expected, value


def test_session_setting_wins_and_none_goes_back(monkeypatch):
    monkeypatch.setenv("CHAOYANG_LANG", "zh_CN")
    i18n.set_language("en")
    assert i18n.t("holds") == "holds"
    i18n.set_language(None)
    assert i18n.t("holds") == "成立"


@pytest.mark.parametrize("value", ["fr", "zh_TW", "", 3])
def test_unknown_language_is_refused_with_the_value_and_the_choices(value):
    if value == "":
        i18n.set_language(None)  # an empty variable means "not set", not an error
        return
    with pytest.raises(ArgumentError) as caught:
        i18n.set_language(value)
    assert repr(value) in str(caught.value) and "'en', 'zh_CN'" in str(caught.value)


def test_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("CHAOYANG_LANG", "klingon")
    with pytest.raises(ArgumentError, match=r"CHAOYANG_LANG='klingon'.*'en', 'zh_CN'"):
        i18n.get_language()


def test_fields_are_filled_after_translation():
    with i18n.language("zh_CN"):
        assert i18n.t("{n} of {total}", n=3, total=4) == "4 个中的 3 个"
        assert i18n.t("changes {n} times", n=2) == "变化 2 次"
    assert i18n.t("{n} of {total}", n=3, total=4) == "3 of 4"
    assert i18n.t("a {brace} kept", ) == "a {brace} kept"  # no fields: the text is returned as it is


def test_join_words_in_both_languages():
    assert i18n.join_words(["A", "B"]) == " and ".join(["A", "B"])  # the chapters' old English, byte for byte
    with i18n.language("zh_CN"):
        assert i18n.join_words(["BEL", "CLO"]) == "BEL和CLO"
        assert i18n.join_words(["12 %", "30 %", "45 %"]) == "12 %、30 %和45 %"


# ----------------------------------------------------------------------------- the catalog
def _catalog():
    polib = pytest.importorskip("polib")
    return polib.pofile(str(i18n.catalog_path()))


def test_committed_mo_is_the_compiled_po(tmp_path):
    polib = pytest.importorskip("polib")
    fresh = tmp_path / "chaoyang.mo"
    polib.pofile(str(i18n.catalog_path()), wrapwidth=0).save_as_mofile(str(fresh))
    assert i18n.catalog_path(suffix=".mo").read_bytes() == fresh.read_bytes(), (
        "chaoyang.mo is stale: run python -c \"import chaoyang.i18n as i; i.compile_catalog()\"")


def test_catalog_holds_exactly_the_messages_in_use():
    used = i18n.library_messages(ROOT)
    assert len(used) > 300, "the AST scan found suspiciously few messages"
    ids = {entry.msgid for entry in _catalog() if not entry.obsolete}
    missing = [m for m in used if m not in ids]
    stale = sorted(ids - set(used))
    assert not missing, ("messages passed to t()/N_() but not in chaoyang.po (run "
                         f"chaoyang.i18n.update_catalog() and translate them): {missing[:10]}")
    assert not stale, f"catalog entries no code uses (run chaoyang.i18n.update_catalog()): {stale[:10]}"


def test_every_entry_translated_not_fuzzy_same_placeholders():
    def fields(text):
        return sorted((name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text)
                      if name is not None)

    problems = []
    for entry in _catalog():
        if not entry.msgstr.strip():
            problems.append(f"untranslated: {entry.msgid!r}")
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if fields(entry.msgid) != fields(entry.msgstr):
            problems.append(f"placeholders differ: {entry.msgid!r} -> {entry.msgstr!r}")
        if re.search(r"[A-Za-z]{3,}", entry.msgid) and not CJK.search(entry.msgstr):
            problems.append(f"no Chinese in the translation: {entry.msgid!r} -> {entry.msgstr!r}")
    assert not problems, "\n".join(problems[:20])


def test_multiline_exception_is_rare():
    """Figure labels keep their line breaks so boxes keep their shape. Four Chinese labels are one line: the
    English broke a two-word term that is four characters in Chinese, and the terminology check needs the
    glossary's term unbroken."""
    single = [e.msgid for e in _catalog() if e.msgid.count("\n") and not e.msgstr.count("\n")]
    assert set(single) <= {"Collaborative\ngovernance", "Polycentric\ngovernance", "Community\npolicing",
                           "Collective\nefficacy"}, single


def test_catalog_passes_the_books_terminology_and_markup_checks():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import i18n_tools
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))
    terms = i18n_tools.glossary_terms()
    assert ("emotional energy", "情感能量") in terms
    assert i18n_tools.check_catalog(i18n.catalog_path(), terms, allow=set()) == []
    # the check can fail: a wrong term in a message is reported
    assert i18n_tools.term_problems("Emotional energy rises.", "情绪能量上升。", terms) == ["emotional energy -> 情感能量"]


def test_community_type_words_and_construct_names_agree_with_the_world():
    from chaoyang.world import CONSTRUCTS, legend_label
    from chaoyang.world.truth import COMMUNITY_TYPE_WORDS, DEFAULT_COMMUNITY_TYPES

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import i18n_tools
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))
    glossary_chinese = {zh for _en, zh in i18n_tools.glossary_terms()}
    with i18n.language("zh_CN"):
        assert {i18n.t(w) for w in COMMUNITY_TYPE_WORDS} == {c.chinese for c in DEFAULT_COMMUNITY_TYPES}
        assert set(COMMUNITY_TYPE_WORDS) == {c.key for c in DEFAULT_COMMUNITY_TYPES}
        for key in ("COH", "PCR", "BRP", "BEL", "CLO", "BID", "EE", "RES", "WIL"):
            # legends use the glossary's form (the term base drops quotation marks)
            assert re.sub(r"[“”\"]", "", CONSTRUCTS[key].chinese) in glossary_chinese, key
            assert legend_label(key + "1") == f"{key}1 {CONSTRUCTS[key].chinese}"
        assert legend_label("PAR_SAFETY") == "PAR_SAFETY"
    assert legend_label("BEL") == "BEL"


# ----------------------------------------------------------------------------- glued labels
def _notebook_function(name: str, notebook: str):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                namespace = {"t": i18n.t, "join_words": i18n.join_words}
                exec(compile(ast.Module(body=[node], type_ignores=[]), notebook, "exec"), namespace)
                return namespace[name]
    raise AssertionError(f"{notebook} defines no {name}")


def test_chapter_label_rules_speak_both_languages():
    changes = _notebook_function("grid_change_label", "05_fsqca.ipynb")
    support = _notebook_function("support_label", "03_mediation.ipynb")
    assert changes(["A", "B", "A"]) == "changes 2 times" and support(3, 9) == "partly supported"
    with i18n.language("zh_CN"):
        assert changes(["A", "B", "A"]) == "变化 2 次"
        assert changes(["A"] * 3) == "不变"
        assert support(3, 9) == "部分得到支持"
        assert support(9, 9) == "全部得到支持"


def _literals(node, *, operands: bool = True, sequences: bool = False) -> list[str]:
    """Literal text that would reach the page as it is: the value itself, the branches of a conditional, the
    literal parts of an f-string, and (``operands``) the operands of ``or``/``+`` or (``sequences``) the elements
    of a list or tuple. Text inside t(...) or join_words(...) is translated; arguments of other calls (column
    names, separators) are not prose."""
    def again(child):
        return _literals(child, operands=operands, sequences=sequences)

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(part.value for part in node.values if isinstance(part, ast.Constant))]
    if isinstance(node, ast.IfExp):
        return again(node.body) + again(node.orelse)
    if operands and isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in again(value)]
    if operands and isinstance(node, ast.BinOp):
        return again(node.left) + again(node.right)
    if sequences and isinstance(node, (ast.List, ast.Tuple)):
        return [text for element in node.elts for text in again(element)]
    return []


def test_chapters_import_t_before_using_it():
    """A chapter that calls t() before the cell importing it fails in the book build (NameError)."""
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        imported, first_use = None, None
        for k, cell in enumerate(cells):
            source = "\n".join(l for l in "".join(cell["source"]).splitlines() if not l.lstrip().startswith(("%", "!")))
            tree = ast.parse(source)
            if imported is None and any(isinstance(n, ast.ImportFrom) and n.module == "chaoyang.i18n"
                                        for n in ast.walk(tree)):
                imported = k
            if first_use is None and any(isinstance(n, ast.Name) and n.id in ("t", "join_words")
                                         and isinstance(n.ctx, ast.Load) for n in ast.walk(tree)):
                first_use = k
        assert imported is not None and first_use is not None and imported <= first_use, \
            (path.name, imported, first_use)


def test_every_text_glue_in_the_chapters_goes_through_t():
    """A glued English word in a Chinese page is the failure this guards against: a glue call whose value is a
    string literal, an f-string or a conditional of literals must wrap its words in t()."""
    offenders = []
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "\n".join(l for l in "".join(cell["source"]).splitlines() if not l.lstrip().startswith("%"))
            for node in ast.walk(ast.parse(source)):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glue" and len(node.args) > 1):
                    continue
                if any(re.search(r"[A-Za-z]{2,}", text) for text in _literals(node.args[1])):
                    offenders.append(f"{path.name}: {ast.get_source_segment(source, node)[:90]}")
    assert not offenders, "\n".join(offenders)


#: Figure calls whose text reaches a reader: methods whose first text argument is a label, and keywords.
_FIGURE_METHODS = {"set_title", "set_xlabel", "set_ylabel", "annotate", "suptitle"}
_FIGURE_KEYWORDS = {"title", "label", "xlabel", "ylabel"}


def _untranslated_figure_text(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        values = [k.value for k in node.keywords if k.arg in _FIGURE_KEYWORDS]
        if name in _FIGURE_METHODS:
            values += node.args[:1]
        if name == "text":  # ax.text(x, y, s)
            values += node.args[2:3]
        if any(re.search(r"[A-Za-z]{3,}", text) for value in values for text in _literals(value, operands=False, sequences=True)):
            found.append(ast.get_source_segment(source, node)[:100])
    return found


def test_figure_text_in_chapters_and_plots_goes_through_t():
    """Titles, axis labels, legends and annotations typed as literals would stay English in the Chinese book."""
    assert _untranslated_figure_text('ax.set_title("Power")') == ['ax.set_title("Power")']  # the scan can fail
    assert _untranslated_figure_text('ax.set_title(t("Power"))') == []
    offenders = []
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "\n".join(line for line in "".join(cell["source"]).splitlines()
                                   if not line.lstrip().startswith(("%", "!")))
                offenders += [f"{path.name}: {o}" for o in _untranslated_figure_text(source)]
    for path in sorted((ROOT / "src" / "chaoyang" / "plots").glob("*.py")):
        offenders += [f"{path.name}: {o}" for o in _untranslated_figure_text(path.read_text(encoding="utf-8"))]
    assert not offenders, "\n".join(offenders)


# ----------------------------------------------------------------------------- errors and check_env
def test_errors_are_chinese_with_the_same_value(monkeypatch):
    from chaoyang._validate import check_count, check_level, check_seed
    from chaoyang.world import items_of

    cases = [(lambda: check_seed(True), "seed=True"), (lambda: check_count(0, "n_reps"), "n_reps=0"),
             (lambda: check_level(1.5), "level=1.5"), (lambda: items_of("XYZ"), "'XYZ'")]
    english = []
    for call, value in cases:
        with pytest.raises(ChaoyangError) as caught:
            call()
        english.append(str(caught.value))
        assert value in str(caught.value) and not CJK.search(str(caught.value))
    monkeypatch.setenv("CHAOYANG_LANG", "zh_CN")
    for (call, value), before in zip(cases, english):
        with pytest.raises(ChaoyangError) as caught:
            call()
        assert value in str(caught.value) and CJK.search(str(caught.value)), str(caught.value)
        assert str(caught.value) != before


def test_missing_column_is_named_in_chinese(monkeypatch):
    import pandas as pd

    from chaoyang.data import composite_scores
    from chaoyang.describe import participation as par

    monkeypatch.setenv("CHAOYANG_LANG", "zh_CN")
    with pytest.raises(KeyError) as caught:
        par.response_shares(pd.DataFrame({"PAR_SAFTY": [1, 2]}), ["PAR_SAFETY"])
    assert "'PAR_SAFETY'" in str(caught.value) and "数据中没有列" in str(caught.value)
    assert "'PAR_SAFTY'" in str(caught.value)  # the did-you-mean hint survives translation
    with pytest.raises(KeyError, match=r"构念 BEL 需要列 \['BEL1'"):
        composite_scores(pd.DataFrame({"COH1": [1]}), ["BEL"])


def test_check_env_speaks_the_setting(monkeypatch):
    pins = {"numpy": "0.0.1", "not-a-real-package-xyz": "1.0"}
    out = io.StringIO()
    with redirect_stdout(out):
        assert i18n.get_language() == "en"
        from chaoyang.envcheck import check_env
        check_env(pins=pins)
    english = out.getvalue()
    assert "2 of 2 pinned packages differ" in english and "WRONG MAJOR VERSION" in english
    monkeypatch.setenv("CHAOYANG_LANG", "zh_CN")
    out = io.StringIO()
    with redirect_stdout(out):
        check_env(pins=pins)
    chinese = out.getvalue()
    assert "2 个固定版本的软件包中有 2 个" in chinese and "主版本不符（需要 0.x）" in chinese
    assert "pip install not-a-real-package-xyz==1.0" in chinese  # commands stay commands


# ----------------------------------------------------------------------------- figures and fonts
def _chinese_texts(fig):
    from matplotlib.text import Text

    return [a for a in fig.findobj(Text) if a.get_visible() and CJK.search(a.get_text())]


def _assert_glyphs_resolve(fig):
    """Every Chinese character of every text resolves, through matplotlib's font fallback, to a font that has it."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    texts = _chinese_texts(fig)
    assert texts, "the figure has no Chinese text"
    for text in texts:
        paths = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())
        fonts = [FT2Font(str(p)) for p in paths]
        for char in set(CJK.findall(text.get_text())):
            assert any(font.get_char_index(ord(char)) for font in fonts), (
                f"{char!r} of {text.get_text()!r} has no glyph in {[str(p) for p in paths]}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    missing = [str(w.message) for w in caught if "Glyph" in str(w.message) and "missing" in str(w.message)]
    assert not missing, missing[:3]


@pytest.fixture
def chinese_figures(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    if i18n.use_cjk_font() is None:
        pytest.fail("no CJK font installed: apt-get install fonts-noto-cjk (.ci/run installs it)")
    monkeypatch.setenv("CHAOYANG_LANG", "zh_CN")
    with matplotlib.rc_context():
        yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_chinese_phase_portrait_and_likert_render_with_a_cjk_font(chinese_figures):
    import matplotlib.pyplot as plt
    import pandas as pd

    from chaoyang.plots.likert import diverging_stacked_bars
    from chaoyang.plots.sim_game import plot_phase_portrait
    from chaoyang.sim.game import MobilizationGame

    ax = plot_phase_portrait(MobilizationGame(), density=0.4)
    assert ax.get_xlabel() == "选择情感动员的政府比例（x）"
    _assert_glyphs_resolve(ax.figure)
    frame = pd.DataFrame({"PAR_SAFETY": [1, 2, 3, 4, 5, 5], "PAR_INFO": [3, 3, 4, 4, 2, 1]})
    ax = diverging_stacked_bars(frame, ["PAR_SAFETY", "PAR_INFO"], item_labels={"PAR_SAFETY": "Safety maintenance"})
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["从不", "很少", "有时", "经常", "非常频繁"]
    assert "治安维护" in [t.get_text() for t in ax.get_yticklabels()]
    _assert_glyphs_resolve(ax.figure)
    plt.close("all")


def test_english_figures_are_unchanged_by_the_setting():
    import matplotlib

    matplotlib.use("Agg")
    from chaoyang.plots.sim_game import plot_phase_portrait
    from chaoyang.sim.game import MobilizationGame

    ax = plot_phase_portrait(MobilizationGame(), density=0.4)
    assert ax.get_xlabel() == "share of government choosing emotional mobilization (x)"
    assert not _chinese_texts(ax.figure)


def test_chinese_svg_has_outlines_not_font_dependent_text(chinese_figures, tmp_path):
    import matplotlib

    from chaoyang.plots import theory_figures

    # Planted: an English figure drawn earlier in the same process leaves svg.fonttype at 'none' (text as text);
    # a Chinese figure must still come out as outlines (the fixture's rc_context restores the setting).
    matplotlib.rcParams["svg.fonttype"] = "none"
    written = theory_figures.crowding_schematic(tmp_path / "x.zh_CN.svg")
    svg = written.read_text(encoding="utf-8")
    assert "<text" not in svg and "font-family" not in svg and svg.count("<path") > 20
    # glyphs are outlines: no character is left for a browser font to draw (matplotlib keeps the string
    # only as an XML comment)
    assert not CJK.search(re.sub(r"<!--.*?-->", "", svg, flags=re.S))
    assert CJK.search(svg), "the schematic has no Chinese text at all"


def test_committed_chinese_theory_figures_are_what_the_code_draws(chinese_figures, tmp_path):
    from chaoyang.plots import theory_figures

    written = theory_figures.draw_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(n.replace(".svg", ".zh_CN.svg") for n in theory_figures.FIGURES)
    for path in written:
        committed = theory_figures.FIGURE_DIR / path.name
        assert committed.exists(), f"{committed} missing: run python -m chaoyang.plots.theory_figures"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{path.name} differs from what the code draws; redraw with python -m chaoyang.plots.theory_figures")


def test_theory_figure_text_resolves_glyphs(chinese_figures, tmp_path):
    import matplotlib.pyplot as plt

    from chaoyang.plots import theory_figures

    for draw in (theory_figures.framework_model, theory_figures.governance_matrix):
        original = plt.close
        figures = []
        plt.close = lambda fig=None: figures.append(fig)  # keep the figure open to inspect it
        try:
            draw(tmp_path / "f.zh_CN.svg")
        finally:
            plt.close = original
        _assert_glyphs_resolve(figures[0])
        plt.close(figures[0])


def _without_cjk_fonts(monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name
                         and f.name not in i18n.CJK_FONTS])


def test_packaged_font_is_registered_when_the_system_has_none(monkeypatch):
    """The zh extra's font (noto-cjk-sans-otc, pinned in requirements.txt) stands in for a system font."""
    import matplotlib
    from matplotlib import font_manager
    from noto_cjk_sans_otc import FONT_PATH

    matplotlib.use("Agg")
    _without_cjk_fonts(monkeypatch)
    with matplotlib.rc_context():
        assert i18n.use_cjk_font() == "Noto Sans CJK SC"
        path = font_manager.findfont(font_manager.FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False)
        assert Path(path) == Path(str(FONT_PATH))


def test_missing_font_warns_with_what_to_install(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    _without_cjk_fonts(monkeypatch)
    monkeypatch.setitem(sys.modules, "noto_cjk_sans_otc", None)  # the package is not installed either
    with matplotlib.rc_context():
        with pytest.warns(i18n.MissingFontWarning, match="fonts-noto-cjk"):
            assert i18n.use_cjk_font() is None
        with pytest.raises(i18n.MissingFontError, match="fonts-noto-cjk"):
            i18n.use_cjk_font(strict=True)


def _run(code: str, lang: str) -> list[str]:
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path]), "CHAOYANG_LANG": lang,
           "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=env).stdout.split("\n")


def test_runtime_needs_no_new_dependency():
    """A translated message needs only the standard library's gettext (no polib/babel import); in English the
    library does not even import matplotlib for it."""
    code = ("import sys; import chaoyang.i18n as i; print(i.t('holds')); "
            "print(sorted(m for m in ('polib', 'babel', 'matplotlib') if m in sys.modules))")
    assert _run(code, "zh_CN")[:2] == ["成立", "['matplotlib']"]  # matplotlib (a core dependency) gets its font
    assert _run(code, "en")[:2] == ["holds", "[]"]


def test_a_fresh_chinese_session_draws_no_tofu():
    """The order of a notebook: import, make axes, then label them. Axes take their font when they are made,
    so the CJK font must be in place before the first figure (this once gave boxes in the axis labels)."""
    code = """
import warnings, io
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
import matplotlib.pyplot as plt
from chaoyang.plots.sim_game import plot_phase_portrait
from chaoyang.sim.game import MobilizationGame
fig, ax = plt.subplots()
plot_phase_portrait(MobilizationGame(), ax=ax, density=0.3)
label = ax.xaxis.label
fonts = [FT2Font(str(p)) for p in font_manager.fontManager._find_fonts_by_props(label.get_fontproperties())]
print(all(any(f.get_char_index(ord(c)) for f in fonts) for c in label.get_text() if ord(c) > 0x3000))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fig.savefig(io.BytesIO(), format="png")
print(sum("Glyph" in str(w.message) for w in caught))
print(label.get_text())
"""
    assert _run(code, "zh_CN")[:3] == ["True", "0", "选择情感动员的政府比例（x）"]
