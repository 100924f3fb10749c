"""The Chinese edition of the teaching material (issue #17, items 1 and 6): quizzes, course plans, assignments,
check messages and feedback pages, from the catalogs of :mod:`chaoyang.teaching.catalogs`.

1. **The catalog mechanism** on temporary files: an update keeps the translations of unchanged messages, drops
   removed ones and adds new ones untranslated; the drift check sees each of those states; templates translate
   formatted messages.
2. **Every catalog against its source** (quiz YAML, course plans, exercise masters, check code): in step with the
   source, translated, not fuzzy, with the glossary's terms and the markup of the English (book/_ext/i18n_tools.py).
   Catalogs still waiting for a translator would be listed in ``PENDING`` and expected to fail (strict xfail: a
   finished one must leave the list); none is.
3. **Rendering in Chinese**: a quiz and its interface, a course plan, a student's ``grader.check``, feedback pages
   (also scanned for leaks) and an assignment built with ``lang="zh_CN"`` next to its English build.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import polib
import pytest

from chaoyang.teaching import assignments, catalogs, course_plan
from chaoyang.teaching.catalogs import CatalogError, catalog_drift, translator, update_catalog
from chaoyang.teaching.feedback import render_html, render_markdown, scan_for_leaks

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import i18n_tools  # noqa: E402  (book/_ext/i18n_tools.py)
import quiz  # noqa: E402  (book/_ext/quiz.py)

CJK = re.compile(r"[\u4e00-\u9fff]")
DOMAINS = catalogs.all_domains()

#: Catalogs not translated yet (a translator's work in progress); each must fail the completeness test (strict
#: xfail), so a finished one has to leave the list. Empty: every catalog is translated.
PENDING: set[str] = set()


# ------------------------------------------------------------------------------------------- 1. mechanism
def _entries(path):
    return {e.msgid: e for e in polib.pofile(str(path))}


def test_update_keeps_unchanged_translations_drops_removed_and_adds_new(tmp_path):
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "demo.po"
    assert update_catalog(po, ["Check", ("Your answer", "label"), "Gone"]) == {"added": 3, "kept": 0, "dropped": 0}
    catalog = polib.pofile(str(po))
    for entry in catalog:
        entry.msgstr = {"Check": "检查", "Your answer": "你的答案", "Gone": "消失"}[entry.msgid]
    catalog.save(str(po))
    # the source changes: "Gone" removed, "Your answer" edited, "New" added
    assert update_catalog(po, ["Check", "Your answers", "New"]) == {"added": 2, "kept": 1, "dropped": 2}
    entries = _entries(po)
    assert set(entries) == {"Check", "Your answers", "New"}
    assert entries["Check"].msgstr == "检查"
    assert entries["Your answers"].msgstr == "" and entries["New"].msgstr == ""
    assert polib.pofile(str(po)).metadata["Language"] == "zh_CN"


def test_drift_reports_missing_obsolete_untranslated_and_fuzzy(tmp_path):
    po = tmp_path / "demo.po"
    assert catalog_drift(po, ["a"]) == ["demo.po: no catalog (run `python -m chaoyang.teaching.catalogs update`)"]
    update_catalog(po, ["kept", "fuzzy one", "old"])
    catalog = polib.pofile(str(po))
    for entry in catalog:
        entry.msgstr = "译文"
        if entry.msgid == "fuzzy one":
            entry.flags.append("fuzzy")
    catalog.save(str(po))
    problems = catalog_drift(po, ["kept", "fuzzy one", "new"])
    assert problems == ["demo.po: out of date, not in the catalog: new",
                        "demo.po: out of date, no longer in the source: old",
                        "demo.po: fuzzy: fuzzy one"]
    assert catalog_drift(po, ["kept", "fuzzy one", "old"]) == ["demo.po: fuzzy: fuzzy one"]


def test_translator_uses_templates_for_formatted_messages_and_ignores_fuzzy(tmp_path):
    po = tmp_path / "demo.po"
    update_catalog(po, ["found {n} bars of {total}", "plain", "unsure"])
    catalog = polib.pofile(str(po))
    for entry in catalog:
        entry.msgstr = {"found {n} bars of {total}": "共 {total} 个中找到 {n} 个", "plain": "朴素", "unsure": "不确定"}[
            entry.msgid]
        if entry.msgid == "unsure":
            entry.flags.append("fuzzy")
    catalog.save(str(po))
    t = translator(po)
    assert t("found 5 bars of 6") == "共 6 个中找到 5 个"
    assert t("plain") == "朴素"
    assert t("unsure") == "unsure"  # a fuzzy translation is not used
    assert t("something else") == "something else"
    with pytest.raises(CatalogError, match="something else"):
        translator(po, strict=True)("something else")
    assert translator(po, "en")("plain") == "plain"
    with pytest.raises(CatalogError, match="'fr'"):
        translator(po, "fr")


# ------------------------------------------------------------------------------------ 2. the catalogs
def test_every_source_has_a_catalog_domain():
    stems = {p.stem for p in quiz.QUIZ_DIR.glob("*.yml")}
    assert {d.split("/", 1)[1] for d in DOMAINS if d.startswith("quizzes/") and d != "quizzes/_ui"} == stems
    assert {d.split("/", 1)[1] for d in DOMAINS if d.startswith("exercises/")} == \
        {a.name for a in assignments.discover()}
    assert len(stems) == 22


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_catalog_is_in_step_with_its_source(domain):
    """Out of date = a message of the YAML/notebook/code is missing from the catalog, or the catalog keeps one the
    source dropped. Fix: ``python -m chaoyang.teaching.catalogs update`` (translations of unchanged text are kept)."""
    problems = [p for p in catalog_drift(catalogs.catalog_path(domain), DOMAINS[domain]) if "out of date" in p
                or "no catalog" in p]
    assert problems == []


TERMS = i18n_tools.glossary_terms()


@pytest.mark.parametrize("domain", [pytest.param(d, marks=pytest.mark.xfail(
    strict=True, reason="waiting for a translator")) if d in PENDING else d for d in sorted(DOMAINS)])
def test_catalog_is_translated_with_the_glossary_and_the_markup(domain):
    path = catalogs.catalog_path(domain)
    problems = [p for p in catalog_drift(path, DOMAINS[domain]) if "untranslated" in p or "fuzzy" in p]
    for entry in polib.pofile(str(path)):
        if entry.msgstr:
            problems += [f"{p}: {entry.msgid[:50]}" for p in i18n_tools.markup_problems(entry.msgid, entry.msgstr)]
            problems += [f"term {p}: {entry.msgid[:50]}" for p in i18n_tools.term_problems(entry.msgid, entry.msgstr,
                                                                                           TERMS)]
            placeholders = sorted(re.findall(r"\{[a-z_0-9]+\}", entry.msgid))
            if placeholders != sorted(re.findall(r"\{[a-z_0-9]+\}", entry.msgstr)):
                problems.append(f"placeholders {placeholders}: {entry.msgid[:50]}")
            # a message with English words must come back in Chinese (formulas and symbols alone may stay)
            if len(re.findall(r"\b(?!(?:CR|AVE|WIL|NONE)\b)[A-Za-z]{3,}\b", entry.msgid)) >= 2 and \
                    not CJK.search(entry.msgstr):
                problems.append(f"no Chinese in the translation: {entry.msgid[:50]}")
    assert problems == []


# ---------------------------------------------------------------------------------- 3. rendering
def test_quiz_renders_in_chinese_with_the_same_answers_and_chinese_interface():
    path = quiz.QUIZ_DIR / "01_grounded_coding.yml"
    english, chinese = quiz.load_quiz(path), quiz.quiz_in(path, "zh_CN")
    html_en, html_zh = quiz.render_quiz(english, "q", "en"), quiz.render_quiz(chinese, "q", "zh_CN")
    assert "Question 1." in html_en and "第 1 题。" in html_zh and "Question 1." not in html_zh
    assert '>检查</button>' in html_zh and "你的答案" in html_zh
    for q in chinese:
        assert CJK.search(q["prompt"]), q["prompt"]
    # same questions, same displayed option order, same correct option; explanations in Chinese
    secrets_en = re.findall(r'data-quiz="([^"]+)"', html_en)
    secrets_zh = re.findall(r'data-quiz="([^"]+)"', html_zh)
    assert len(secrets_en) == len(secrets_zh) == len(english)
    for en, zh in zip(secrets_en, secrets_zh):
        en, zh = quiz.unscramble(en), quiz.unscramble(zh)
        assert en["kind"] == zh["kind"]
        if en["kind"] == "choice":
            assert en["correct"] == zh["correct"] and all(CJK.search(w) for w in zh["why"])
        else:
            assert (en["answer"], en["tolerance"]) == (zh["answer"], zh["tolerance"]) and CJK.search(zh["hint"])
    # the script's texts travel in the page (works from file://), in Chinese
    ui = json.loads(re.search(r'data-quiz-ui="([^"]+)"', html_zh).group(1).replace("&quot;", '"'))
    assert set(ui) == {"right", "wrong", "choose", "other", "number", "again"}
    assert all(CJK.search(text) for text in ui.values())
    answers = quiz.render_answers(chinese, "q", "zh_CN")
    assert "自测题：答案" in answers and "（误差在 ±0.002 以内即算正确）。" in answers


def test_quiz_script_has_no_english_feedback_left():
    script = (quiz.STATIC_DIR / "quiz.js").read_text(encoding="utf-8")
    for english in ("Correct. ", "Not quite. ", "Choose an option first", "Try again", "Type a number"):
        assert english not in script, f"quiz.js still writes {english!r} itself; it must come from data-quiz-ui"


def test_course_plan_renders_in_chinese_with_the_same_links():
    plan = course_plan.get_plan("semester-14")
    english = "\n".join(course_plan.render_myst(plan))
    chinese = "\n".join(course_plan.render_myst(course_plan.plan_in(plan, "zh_CN"), "zh_CN"))
    assert re.findall(r"\{doc\}`[^`]+`", english) == re.findall(r"\{doc\}`[^`]+`", chinese)
    assert re.findall(r"`a\d_\w+`", english) == re.findall(r"`a\d_\w+`", chinese)
    assert "  - 主题" in chinese and "* - 周次" in chinese and "Topic" not in chinese
    from chaoyang.teaching.catalogs import translator

    topic = translator("course_plans", "zh_CN")("Mass prevention and governance in China")
    assert "Mass prevention and governance in China" in english and topic in chinese and "群防群治" in topic
    workshop = course_plan.plan_in(course_plan.get_plan("workshop-2-day"), "zh_CN")
    assert workshop.rows[0].when == "第 1 天上午"


def test_student_grader_speaks_chinese():
    from chaoyang.teaching.checks import StudentChecks

    report = StudentChecks("a6_simulation", lang="zh_CN").check("q1", {"final_rates": None})
    assert not report.passed and repr(report) == "q1: final_rates 必须是 pandas Series"
    missing = StudentChecks("a6_simulation", lang="zh_CN").check("q1", {})
    assert repr(missing) == "q1: 请定义 final_rates（笔记本中未找到）"
    assert repr(StudentChecks("a6_simulation").check("q1", {})) == "q1: define final_rates (not found in the notebook)"


def test_feedback_pages_in_chinese_and_no_leak():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_feedback import FORBIDDEN, GRADES, HIDDEN_SOURCE
    from chaoyang.teaching.records import CheckResult, QuestionGrade, Submission, SubmissionGrade

    pages = {}
    for grade in GRADES:
        pages[f"{grade.submission.student_id}.md"] = render_markdown(grade, assignment="a3_mediation", lang="zh_CN")
        pages[f"{grade.submission.student_id}.html"] = render_html(grade, assignment="a3_mediation", lang="zh_CN")
    assert scan_for_leaks(pages, FORBIDDEN) == []
    assert HIDDEN_SOURCE not in "".join(pages.values())
    html_page = pages["101.html"]
    assert '<html lang="zh-CN">' in html_page and "<h1>反馈：a3_mediation</h1>" in html_page
    assert "隐藏检查 1" in html_page and "各题得分" in html_page
    # a real hint and public message of the checks, translated
    hint = ("direct_ci is not the bootstrap interval of path c, or direct_significant does not follow from it.")
    public = CheckResult("q4 public: a (lower, upper) tuple and a bool", False, False, 0.0, 0.0,
                         "direct_ci must be a tuple (lower, upper)")
    hidden = CheckResult("q4 hidden: direct effect", True, False, 0.0, 2.0, hint)
    grade = SubmissionGrade(Submission("7", "Li", None), (QuestionGrade("q4", 0.0, 2.0, (public, hidden)),), None)
    page = render_html(grade, assignment="a3_mediation", lang="zh_CN")
    # The translations come from teaching.po (reviewed wording may change); what matters is that the page shows
    # them, in Chinese, and not the English.
    from chaoyang.teaching.catalogs import translator

    zh = translator("teaching", "zh_CN")
    for english in (hint, "direct_ci must be a tuple (lower, upper)"):
        assert zh(english) != english and re.search(r"[\u4e00-\u9fff]", zh(english)) and zh(english) in page
        assert english not in page
    assert "q4 public:" not in page and "(lower, upper)" in page  # the public check's name, translated
    assert scan_for_leaks({"p": page}, assignments.secret_lines(assignments.get("a3_mediation").master)) == []


def test_untranslated_exercise_cell_stops_the_build_before_otter(tmp_path):
    folder = tmp_path / "zz_missing"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# An assignment nobody translated")])
    nbformat.write(nb, folder / "zz_missing.ipynb")
    with pytest.raises(CatalogError, match="zz_missing: markdown cell 0"):
        assignments.translated_cells(folder / "zz_missing.ipynb", "zh_CN")
    assert assignments.translated_cells(folder / "zz_missing.ipynb", "en") == {}


def test_student_markdown_leaves_out_model_answers():
    master = assignments.get("a1_grounded_coding").master
    cells = nbformat.read(master, as_version=4).cells
    chosen = assignments.student_markdown(master)
    markdown = [i for i, c in enumerate(cells) if c.cell_type == "markdown"]
    left_out = sorted(set(markdown) - set(chosen))
    assert left_out, "the master's written questions have model answers in solution blocks"
    for i in left_out:  # each left-out cell sits inside a raw BEGIN/END SOLUTION block
        before = [c.source.strip() for c in cells[:i] if c.cell_type == "raw"]
        assert before[-1].startswith("# BEGIN SOLUTION")


@pytest.fixture(scope="module")
def built_pair(tmp_path_factory):
    """a1 built twice, in English and in Chinese (otter assign without running the tests)."""
    name = "a1_grounded_coding"
    out = tmp_path_factory.mktemp("zh")
    assignment = assignments.get(name)
    en = assignments.build_one(assignment, out / "en", run_tests=False)
    zh = assignments.build_one(assignment, out / "zh", run_tests=False, lang="zh_CN")
    return name, en, zh


def test_chinese_assignment_has_chinese_markdown_and_the_english_code(built_pair):
    name, en, zh = built_pair
    nb_en = nbformat.read(en / "student" / f"{name}.ipynb", as_version=4)
    nb_zh = nbformat.read(zh / "student" / f"{name}.ipynb", as_version=4)
    assert [c.cell_type for c in nb_en.cells] == [c.cell_type for c in nb_zh.cells]
    markdown = [(a.source, b.source) for a, b in zip(nb_en.cells, nb_zh.cells) if a.cell_type == "markdown"]
    assert len(markdown) >= 8
    for english, chinese in markdown:
        assert CJK.search(chinese) and chinese != english
        assert len(CJK.findall(chinese)) > 0.3 * len(re.sub(r"`[^`]*`|\$[^$]*\$|\s", "", chinese))
    code = [(a.source, b.source) for a, b in zip(nb_en.cells, nb_zh.cells) if a.cell_type == "code"]
    differing = [(a, b) for a, b in code if a != b]
    # the one difference: the grader speaks the notebook's language
    assert len(differing) == 1
    english, chinese = differing[0]
    assert f'StudentChecks("{name}")' in english
    assert chinese == english.replace(f'StudentChecks("{name}")', f'StudentChecks("{name}", lang="zh_CN")')
    secrets = assignments.secret_lines(assignments.get(name).master)
    assert assignments.find_leaks([zh / "student", zh.parent / f"{name}.zip"], secrets) == []
    # the README students get: Chinese, with the same table (rows and the points column)
    readme_en = (en / "student" / "README.md").read_text(encoding="utf-8")
    readme_zh = (zh / "student" / "README.md").read_text(encoding="utf-8")
    assert readme_zh.startswith("# 作业 1") and "Learning objectives" in readme_en and "学习目标" in readme_zh

    def points(text):
        return [row.split("|")[2].strip() for row in text.splitlines() if re.match(r"\| q\d ", row)]

    assert points(readme_zh) == points(readme_en) == ["2", "3", "2", "4", "3", "2"]


def test_chinese_assignment_grader_cell_runs(built_pair):
    name, _, zh = built_pair
    nb_zh = nbformat.read(zh / "student" / f"{name}.ipynb", as_version=4)
    cell = next(c.source for c in nb_zh.cells if c.cell_type == "code" and "StudentChecks(" in c.source)
    namespace: dict = {}
    exec(cell, namespace)  # noqa: S102 - our own generated cell
    assert namespace["grader"].lang == "zh_CN"
    assert CJK.search(repr(namespace["grader"].check("q1", {})))


@pytest.fixture(scope="module")
def tiny_editions(tmp_path_factory):
    """A one-page Sphinx project with quiz 08, built with ``-D language=en`` and ``-D language=zh_CN``."""
    import subprocess

    folder = tmp_path_factory.mktemp("editions")
    src = folder / "src"
    src.mkdir()
    (src / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
                                 "extensions = ['myst_parser', 'quiz']\nproject = 'tiny'\n", encoding="utf-8")
    (src / "index.md").write_text("# Tiny\n\n## Quiz\n\n```{quiz} /08_evolutionary_game.yml\n```\n", encoding="utf-8")
    (src / "08_evolutionary_game.yml").write_text(
        (quiz.QUIZ_DIR / "08_evolutionary_game.yml").read_text(encoding="utf-8"), encoding="utf-8")
    for lang in ("en", "zh_CN"):
        done = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D", f"language={lang}",
                               str(src), str(folder / lang)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    return folder


def test_sphinx_build_with_language_zh_cn_renders_the_quiz_in_chinese(tiny_editions):
    """The directive reads Sphinx's ``language`` (the Chinese edition passes ``-D language=zh_CN``)."""
    from bs4 import BeautifulSoup

    pages = {lang: BeautifulSoup((tiny_editions / lang / "index.html").read_text(encoding="utf-8"), "html.parser")
             for lang in ("en", "zh_CN")}
    legend_en = pages["en"].select_one("form.quiz-question legend").get_text(" ", strip=True)
    legend_zh = pages["zh_CN"].select_one("form.quiz-question legend").get_text(" ", strip=True)
    assert legend_en.startswith("Question 1. Toy game")
    assert legend_zh.startswith("第 1 题。 示意博弈") and "Toy game" not in legend_zh
    assert [b.get_text() for b in pages["zh_CN"].select("button.quiz-check")] == ["检查"] * 6
    assert pages["zh_CN"].select_one("section.quiz-answers h2").get_text() == "自测题：答案"


@pytest.mark.browser
def test_chinese_quiz_gives_chinese_feedback_in_a_browser_from_file_urls(tiny_editions, browser_context):
    """quiz.js writes the feedback words of the page's language, offline (file://)."""
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto((tiny_editions / "zh_CN" / "index.html").as_uri())
    forms = tab.locator("form.quiz-question")
    numeric = forms.nth(0)  # question 1 is numeric: K - A = -1
    feedback = numeric.locator(".quiz-feedback")
    numeric.locator("button.quiz-check").click()
    assert feedback.inner_text().strip() == "请输入一个数（例如 0.75），再按“检查”。"
    numeric.locator("input[type=text]").fill("3")
    numeric.locator("button.quiz-check").click()
    assert feedback.inner_text().startswith("不太对。") and feedback.inner_text().endswith("请再试一次。")
    numeric.locator("input[type=text]").fill("-1")
    numeric.locator("button.quiz-check").click()
    assert feedback.inner_text().startswith("正确。A = 5，K = 4")
    choice = forms.nth(1)
    choice.locator("button.quiz-check").click()
    assert choice.locator(".quiz-feedback").inner_text().strip() == "请先选择一个选项，再按“检查”。"
    assert errors == []
    tab.close()


def test_english_has_no_catalogs_to_update():
    with pytest.raises(CatalogError, match="lang='en' is the source language"):
        catalogs.update_all("en")
