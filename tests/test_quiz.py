"""Self-check quizzes (book/_ext/quiz.py, book/quizzes/*.yml): content, the directive, the built site, a browser.

Four layers:

1. **Content, without building anything.** Every chapter of Parts I–III in ``_toc.yml`` (part index pages
   excepted) holds exactly one ``{quiz}`` directive whose file has 5–8 well-formed questions; every numeric
   answer is recomputed here independently (closed forms on the stated toy values, scikit-learn,
   ``krippendorff``, statsmodels, SALib, numpy) or, when it is a figure quoted from the literature, found in
   the page's own text.
2. **The directive on a tiny Sphinx project** (seconds): accessible markup, scrambled answers, the
   print-only answers block at the page end, clear build errors for a malformed quiz, assets only on
   quiz pages.
3. **The built book** (``tests/_book.py``; ``CHAOYANG_BUILT_SITE=_build/html`` reuses a build): no answer
   or explanation in any quiz page's visible text, and the scrambled data decode to the YAML's answers.
4. **A real browser** (Playwright + Debian Chromium, the fixtures of tests/test_site_browser.py):
   right and wrong answers give the right feedback, keyboard only works, axe finds no serious or critical
   violation, nothing is fetched from outside, and printing shows the answers at the chapter end.
"""

from __future__ import annotations

import base64
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))

import quiz  # noqa: E402  (book/_ext/quiz.py)

TOC = ROOT / "_toc.yml"
QUIZ_DIR = ROOT / "book" / "quizzes"
DIRECTIVE = re.compile(r"```\{quiz\}\s+(\S+)")
MIN_PER_CHAPTER, MAX_PER_CHAPTER = 5, 8


def chapter_pages() -> list[str]:
    """Chapters of the parts whose caption starts with "Part I" (I, II, III), without the part index pages."""
    toc = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    pages = []
    for part in toc["parts"]:
        if re.match(r"Part I{1,3}\b", part.get("caption", "")):
            pages += [str(c["file"]) for c in part["chapters"] if Path(str(c["file"])).name != "index"]
    return pages


def source_of(page: str) -> Path:
    for suffix in (".md", ".ipynb"):
        if (ROOT / f"{page}{suffix}").is_file():
            return ROOT / f"{page}{suffix}"
    raise FileNotFoundError(f"no .md or .ipynb source for toc entry {page}")


def page_text(page: str, collapse: bool = True) -> str:
    """The page's prose (a notebook's markdown cells), whitespace collapsed unless ``collapse=False``."""
    path = source_of(page)
    if path.suffix == ".ipynb":
        import json

        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return " ".join(text.split()) if collapse else text


def quiz_file_of(page: str) -> Path:
    found = DIRECTIVE.findall(page_text(page))
    assert len(found) == 1, f"{page}: expected exactly one {{quiz}} directive, found {found}"
    target = found[0]
    return ROOT / target.lstrip("/") if target.startswith("/") else source_of(page).parent / target


CHAPTERS = chapter_pages()
RAW = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(QUIZ_DIR.glob("*.yml"))}


# --------------------------------------------------------------------------------------------------
# 1. Content
# --------------------------------------------------------------------------------------------------
def test_parts_one_to_three_are_found():
    # 6 theory chapters, 8 notebooks + the ODD page, 7 effects pages: a toc change must be deliberate here.
    assert len(CHAPTERS) == 22, CHAPTERS
    assert "book/effects/law-ethics" in CHAPTERS and "book/effects/elsewhere" in CHAPTERS
    assert "book/methods/index" not in CHAPTERS and "notebooks/05_fsqca" in CHAPTERS


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_chapter_has_a_quiz_of_five_to_eight_questions(page):
    path = quiz_file_of(page)
    assert path.is_file(), f"{page}: quiz file {path} is missing"
    questions = quiz.load_quiz(path)
    assert MIN_PER_CHAPTER <= len(questions) <= MAX_PER_CHAPTER, f"{page}: {len(questions)} questions"


@pytest.mark.parametrize("page", CHAPTERS)
def test_quiz_comes_after_the_body_and_before_the_summary(page):
    text = page_text(page, collapse=False)
    after = text[text.index("## Self-check quiz") + 3:]
    # Only the chapter's closing sections may follow the quiz.
    headings = re.findall(r"^#{2,3} (.+)$", after, flags=re.M)
    closing = ("Summary", "Key terms", "What's next", "Further reading")
    assert all(h.startswith(closing) for h in headings), f"{page}: sections after the quiz: {headings}"


def test_every_quiz_file_is_used_by_exactly_one_chapter():
    used = sorted(quiz_file_of(p).resolve() for p in CHAPTERS)
    assert len(used) == len(set(used))
    assert set(used) == {p.resolve() for p in QUIZ_DIR.glob("*.yml")}


@pytest.mark.parametrize("stem", sorted(RAW))
def test_questions_are_well_formed(stem):
    # Checked on the raw YAML, not through load_quiz, so a bug in the loader cannot hide a bad file.
    for i, q in enumerate(RAW[stem]["questions"], start=1):
        where = f"{stem}.yml question {i}"
        assert isinstance(q.get("prompt"), str) and len(q["prompt"]) > 15, where
        if "options" in q:
            options = q["options"]
            assert 3 <= len(options) <= 5, f"{where}: {len(options)} options"
            assert sum(o.get("correct") is True for o in options) == 1, f"{where}: not exactly one correct option"
            for o in options:
                assert isinstance(o.get("why"), str) and len(o["why"]) > 20, f"{where}: option {o['text']!r} lacks an explanation"
            assert len({o["text"] for o in options}) == len(options), f"{where}: duplicate options"
        else:
            assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool), where
            assert q["tolerance"] > 0, f"{where}: tolerance must be > 0"
            assert q["tolerance"] < max(abs(q["answer"]), 1e-9) * 0.5 or q["answer"] == 0, f"{where}: tolerance too loose"
            assert len(q["hint"]) > 20 and len(q["explanation"]) > 20, where
            # The hint is shown after a wrong answer: it must not give the value away.
            assert quiz._fmt(q["answer"]) not in re.findall(r"[\d.]+", q["hint"]), f"{where}: the hint gives the answer"


# Independent recomputation of every numeric answer computed from stated toy values. Keyed by the quiz
# file and a piece of the prompt, so reordering questions does not break the link.
def _cascade(thresholds):
    acting = 0
    while True:
        now = sum(t <= acting for t in thresholds)
        if now == acting:
            return acting
        acting = now


def _kappa_pair():
    return [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]


def _cohen():
    from sklearn.metrics import cohen_kappa_score

    return cohen_kappa_score(*_kappa_pair())


def _brennan_prediger():
    a, b = map(np.array, _kappa_pair())
    p_o = (a == b).mean()
    return (p_o - 0.5) / (1 - 0.5)


def _krippendorff():
    import krippendorff

    return krippendorff.alpha(reliability_data=np.array(_kappa_pair(), dtype=float), level_of_measurement="nominal")


def _composite_reliability():
    lam = np.array([0.8, 0.8, 0.6, 0.6])
    return lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())


def _cfa_df():
    factors, per = 9, 4
    p = factors * per
    free = (per - 1) * factors + p + factors + factors * (factors - 1) // 2
    return p * (p + 1) // 2 - free


def _holm():
    from statsmodels.stats.multitest import multipletests

    return multipletests([0.01, 0.02, 0.03, 0.2, 0.5, 0.9], method="holm")[1][0]


def _fuzzy(which):
    x, y = np.array([0.8, 0.6, 0.3, 0.9]), np.array([0.9, 0.4, 0.2, 0.7])
    overlap = np.minimum(x, y).sum()
    return overlap / (x.sum() if which == "consistency" else y.sum())


def _sobol_runs():
    from SALib.sample import sobol

    problem = {"num_vars": 5, "names": list("abcde"), "bounds": [[0, 1]] * 5}
    return sobol.sample(problem, 64, calc_second_order=False, seed=1).shape[0]


GAME = dict(R_E=12, R_S=9, s=2, C_E=6, C_S=2, e=2, r=1, c=2, k=0.0)


def _game_corner_eigenvalues(**change):
    g = {**GAME, **change}
    x = y = 1.0
    d_g = (g["C_S"] - g["C_E"]) + y * (g["R_E"] - g["R_S"] + g["s"])
    d_r = (g["s"] + g["r"] - g["c"] - g["k"]) + x * (g["e"] - g["s"] + g["k"])
    jac = np.array([[(1 - 2 * x) * d_g, 0.0], [0.0, (1 - 2 * y) * d_r]])
    return sorted(np.linalg.eigvals(jac).real)


def _game_interior(**change):
    g = {**GAME, **change}
    # Solve Δ_g(y) = 0 and Δ_r(x) = 0 (both affine) with numpy.
    y = np.linalg.solve([[g["R_E"] - g["R_S"] + g["s"]]], [g["C_E"] - g["C_S"]])[0]
    x = np.linalg.solve([[g["e"] - g["s"] + g["k"]]], [-(g["s"] + g["r"] - g["c"] - g["k"])])[0]
    return x, y


COMPUTED = {
    ("interaction-rituals", "What is its total out of 12"): lambda: sum([3, 1, 2, 2]),
    ("framework", "belonging score"): lambda: np.mean([5, 4, 5, 6 - 1]),
    ("framework", "specific indirect effect through that mediator"): lambda: 0.5 * 0.4,
    ("odd", "thresholds 0, 1, 2, …, 9"): lambda: _cascade(range(10)),
    ("odd", "replaced by one with threshold 2"): lambda: _cascade([0, 2, 2, 3, 4, 5, 6, 7, 8, 9]),
    ("odd", "exposure probability"): lambda: 1 - (1 - 0.5) ** 2,
    ("01_grounded_coding", "Cohen's kappa"): _cohen,
    ("01_grounded_coding", "Brennan and Prediger"): _brennan_prediger,
    ("01_grounded_coding", "Krippendorff's alpha"): _krippendorff,
    ("01_grounded_coding", "new-information ratio"): lambda: 100 * 1 / 20,
    ("02_measurement", "average variance extracted"): lambda: np.mean(np.square([0.8, 0.8, 0.6, 0.6])),
    ("02_measurement", "composite reliability"): _composite_reliability,
    ("02_measurement", "Cronbach's alpha"): lambda: 4 / 3 * (1 - 4 / 10),
    ("02_measurement", "degrees of freedom"): _cfa_df,
    ("02_measurement", "r_A"): lambda: (0.40 - 0.10) / (1 - 0.10),
    ("03_mediation", "total indirect effect"): lambda: float(np.dot([0.5, 0.4, 0.3], [0.4, 0.2, 0.2])),
    ("03_mediation", "total effect c"): lambda: 0.1 + float(np.dot([0.5, 0.4, 0.3], [0.4, 0.2, 0.2])),
    ("03_mediation", "contrast"): lambda: 0.5 * 0.4 - 0.4 * 0.2,
    ("03_mediation", "bootstrap draws"): lambda: 5000 * 0.025,
    ("04_participation", "epsilon-squared"): lambda: 20 / (201 - 1),
    ("04_participation", "U₁ = 1,000"): lambda: 2 * 1000 / (40 * 40) - 1,
    ("04_participation", "higher in 50 %"): lambda: 0.50 - 0.20,
    ("04_participation", "Holm-adjusted"): _holm,
    ("05_fsqca", "consistency of X"): lambda: _fuzzy("consistency"),
    ("05_fsqca", "coverage of X"): lambda: _fuzzy("coverage"),
    ("05_fsqca", "four conditions"): lambda: 2**4,
    ("06_simulation", "0, 1, 1, 2, 5, 5"): lambda: _cascade([0, 1, 1, 2, 5, 5, 6, 7, 8, 9]),
    ("06_simulation", "ritual's score"): lambda: 1.0 * 0.5 * 0.8 * 0.5,
    ("06_simulation", "one SD more of the driver"): lambda: 0.1 + 0.5 * 0.2 + 0.2 * 0.2 + 0.2 * 0.2,
    ("07_effects_stakeholders", "paired difference"): lambda: 2**2 + 2**2 - 2 * 0.5 * 2 * 2,
    ("07_effects_stakeholders", "Sobol"): _sobol_runs,
    ("07_effects_stakeholders", "subsidy bill"): lambda: 100 * 0.5 * 20 * 1.1,
    ("08_evolutionary_game", "eigenvalue K − A"): lambda: min(_game_corner_eigenvalues()),
    ("08_evolutionary_game", "y* = K/A"): lambda: _game_interior(e=0, k=0.5)[1],
    ("08_evolutionary_game", "x* ="): lambda: _game_interior(e=0, k=0.5)[0],
    # N(1 − v)c with the page's N and v and the question's own assumed c.
    ("elsewhere", "contacts without a case"): lambda: 210_000 * (1 - 0.02) * 0.05,
}
# Figures quoted from the cited literature: the page's own text must state them.
QUOTED = {
    ("mass-prevention", "Mao endorse"): "In November 1963 Mao endorsed",
    ("governance", "how many Chicago neighbourhoods"): "8,782 residents of 343 Chicago neighbourhoods",
    ("mobilization", "how many experiments"): "Across 128 experiments",
    ("chaoyang-case", "start of the"): "The Beijing News traces the label's fame to 2013",
    ("policy", "210,000 clues"): "only about 2% of 210,000 clues were classed as valuable",
}
PAGE_OF = {quiz_file_of(p).stem: p for p in CHAPTERS}
NUMERIC = [(stem, q) for stem, data in RAW.items() for q in data["questions"] if "answer" in q]


def _key(stem, prompt, table):
    keys = [k for k in table if k[0] == stem and k[1] in prompt]
    return keys[0] if len(keys) == 1 else None


@pytest.mark.parametrize("stem, question", NUMERIC, ids=[f"{s}:{q['prompt'][:40]}" for s, q in NUMERIC])
def test_numeric_answer_is_checked_independently(stem, question):
    computed, quoted = _key(stem, question["prompt"], COMPUTED), _key(stem, question["prompt"], QUOTED)
    assert (computed is None) != (quoted is None), (
        f"{stem}: numeric question {question['prompt'][:60]!r} needs exactly one independent check")
    if computed:
        value = float(COMPUTED[computed]())
        assert abs(value - question["answer"]) <= question["tolerance"], (
            f"{stem}: answer {question['answer']} but the independent computation gives {value}")
    else:
        phrase = QUOTED[quoted]
        assert phrase in page_text(PAGE_OF[stem]), f"{PAGE_OF[stem]} no longer says {phrase!r}"
        assert quiz._fmt(question["answer"]) in phrase.replace(",", ""), (phrase, question["answer"])


def test_every_independent_check_is_used():
    prompts = [(stem, q["prompt"]) for stem, q in NUMERIC]
    for table in (COMPUTED, QUOTED):
        for key in table:
            assert any(stem == key[0] and key[1] in prompt for stem, prompt in prompts), f"unused check {key}"


@pytest.mark.parametrize("bad, message", [
    ({"prompt": "Pick one of these?", "options": [{"text": "a", "why": "w", "correct": True},
                                                  {"text": "b", "why": "w", "correct": True}]}, "exactly one option"),
    ({"prompt": "Pick one of these?", "options": [{"text": "a", "correct": True}, {"text": "b", "why": "w"}]},
     "'why'"),
    ({"prompt": "How many?", "answer": 3, "tolerance": 0, "hint": "h", "explanation": "e"}, "tolerance"),
    ({"prompt": "How many?", "answer": "three", "tolerance": 1, "hint": "h", "explanation": "e"}, "'answer'"),
    ({"prompt": "How many?"}, "needs 'options'"),
])
def test_malformed_questions_are_refused_with_a_clear_message(bad, message):
    with pytest.raises(quiz.QuizError, match=re.escape(message)):
        quiz.check_question(bad, "demo.yml question 1")


def test_scramble_round_trips_and_hides_the_text():
    payload = {"kind": "choice", "correct": 2, "why": ["Because 北京 is not the answer."] * 3}
    encoded = quiz.scramble(payload)
    assert quiz.unscramble(encoded) == payload
    assert "answer" not in base64.b64decode(encoded).decode("latin-1")


def test_option_order_is_shuffled_but_stable():
    firsts = []
    for stem, data in RAW.items():
        for n, q in enumerate(data["questions"], start=1):
            if "options" in q:
                shown = quiz.displayed(quiz.check_question(q, stem), f"quiz-{stem}-1-q{n}")
                again = quiz.displayed(quiz.check_question(q, stem), f"quiz-{stem}-1-q{n}")
                assert shown == again
                firsts.append(shown["options"][0]["correct"])
    # Authors often write the right option first; readers must not be able to rely on it.
    assert 0.1 < np.mean(firsts) < 0.5, np.mean(firsts)


# --------------------------------------------------------------------------------------------------
# 2. The directive on a tiny Sphinx project
# --------------------------------------------------------------------------------------------------
TINY_QUIZ = """questions:
  - prompt: Which construct is a driver in the framework?
    options:
      - text: Community cohesion
        correct: true
        why: RIGHTWHY cohesion is a driver of the party pathway.
      - text: Emotional energy
        why: WRONGWHY emotional energy is a shared mediator.
      - text: Willingness
        why: WRONGWHY2 willingness is the outcome.
  - prompt: What is 6 minus 2, the reversed answer to 2?
    answer: 4
    tolerance: 0.01
    hint: HINTTEXT subtract from six.
    explanation: EXPLTEXT six minus two.
"""


def _tiny_project(folder: Path, quiz_text: str = TINY_QUIZ) -> Path:
    src = folder / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'quiz']\nproject = 'tiny'\n", encoding="utf-8")
    (src / "index.md").write_text("# Tiny\n\n```{toctree}\nother\n```\n\n## Self-check quiz\n\n"
                                  "```{quiz} q.yml\n```\n\n## Further reading\n\nLAST-SECTION text.\n",
                                  encoding="utf-8")
    (src / "other.md").write_text("# Other\n\nNo quiz here.\n", encoding="utf-8")
    (src / "q.yml").write_text(quiz_text, encoding="utf-8")
    return src


def _sphinx(src: Path, out: Path):
    import subprocess

    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    result = _sphinx(_tiny_project(folder), folder / "html")
    assert result.returncode == 0, result.stderr
    return folder / "html"


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def visible_text(soup) -> str:
    """Text a reader (or a screen reader) gets on screen: without scripts, styles and ``hidden`` elements."""
    soup = soup.__copy__()
    for tag in soup.find_all(["script", "style", "template", "noscript"]):
        tag.decompose()
    for tag in soup.select("[hidden]"):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def test_directive_renders_accessible_controls(tiny_site):
    soup = _soup(tiny_site / "index.html")
    forms = soup.select("form.quiz-question")
    assert len(forms) == 2
    for form in forms:
        assert form.find("fieldset") and form.find("fieldset").find("legend").get_text(strip=True)
        assert form.select_one("button.quiz-check[type=submit]").get_text(strip=True) == "Check"
        assert form.select_one(".quiz-feedback")["aria-live"] == "polite"
        for control in form.select("input"):
            assert soup.select_one(f'label[for="{control["id"]}"]'), f"input {control['id']} has no label"
    assert len(forms[0].select("input[type=radio]")) == 3
    assert forms[1].select_one("input[type=text]")["inputmode"] == "decimal"


def test_directive_keeps_answers_out_of_the_visible_text(tiny_site):
    soup = _soup(tiny_site / "index.html")
    text = visible_text(soup)
    assert "Which construct is a driver" in text and "Community cohesion" in text
    for secret in ("RIGHTWHY", "WRONGWHY", "HINTTEXT", "EXPLTEXT"):
        assert secret not in text
        # Not in the raw HTML outside the print-only block either (e.g. in an attribute in clear).
        without_answers = str(soup).split('class="quiz-answers"')[0]
        assert secret not in without_answers
    assert "RIGHTWHY" not in (tiny_site / "searchindex.js").read_text(encoding="utf-8")


def test_scrambled_data_decode_to_the_answers(tiny_site):
    forms = _soup(tiny_site / "index.html").select("form.quiz-question")
    choice = quiz.unscramble(forms[0]["data-quiz"])
    labels = [forms[0].select_one(f'label[for="{i["id"]}"]').get_text() for i in forms[0].select("input")]
    assert labels[choice["correct"]] == "Community cohesion"
    assert choice["why"][labels.index("Emotional energy")].startswith("WRONGWHY ")
    numeric = quiz.unscramble(forms[1]["data-quiz"])
    assert (numeric["answer"], numeric["tolerance"]) == (4, 0.01) and numeric["hint"].startswith("HINTTEXT")


def test_answers_block_is_hidden_and_moved_to_the_page_end(tiny_site):
    soup = _soup(tiny_site / "index.html")
    block = soup.select_one("section.quiz-answers")
    assert block.has_attr("hidden")
    items = block.select("li")
    assert "Community cohesion" in items[0].get_text() and "RIGHTWHY" in items[0].get_text()
    assert "4" in items[1].get_text() and "EXPLTEXT" in items[1].get_text()
    # After the last section of the chapter ("Further reading"), not right below the quiz.
    html = str(soup)
    assert html.index("LAST-SECTION") < html.index('class="quiz-answers"')


def test_assets_are_served_and_linked_only_where_a_quiz_is(tiny_site):
    assert (tiny_site / "_static" / "quiz.js").is_file() and (tiny_site / "_static" / "quiz.css").is_file()
    index, other = (tiny_site / "index.html").read_text(), (tiny_site / "other.html").read_text()
    assert "_static/quiz.js" in index and "_static/quiz.css" in index
    assert "quiz.js" not in other and "quiz.css" not in other
    css = (tiny_site / "_static" / "quiz.css").read_text()
    assert re.search(r"@media print\s*\{[^@]*\.quiz-answers[^{]*\{\s*display:\s*block", css)


def test_a_malformed_quiz_fails_the_build_with_its_reason(tmp_path):
    bad = TINY_QUIZ.replace("        why: WRONGWHY emotional", "        correct: true\n        why: WRONGWHY emotional")
    result = _sphinx(_tiny_project(tmp_path, bad), tmp_path / "html")
    assert result.returncode != 0
    assert "q.yml question 1: exactly one option must have 'correct: true'; found 2" in result.stderr


def test_epub_shows_the_answers_and_is_well_formed_xhtml(tmp_path):
    # An EPUB is read like the printed book and without scripts: the answers block is not hidden there,
    # and the quiz markup must be XML (XHTML), e.g. self-closed <input/>, for epubcheck.
    import subprocess
    import xml.etree.ElementTree as ET

    src = _tiny_project(tmp_path)
    (src / "conf.py").write_text((src / "conf.py").read_text() + "version = '1'\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "epub", "-d", str(tmp_path / "doctrees"),
                             str(src), str(tmp_path / "epub")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "epub" / "index.xhtml").read_text(encoding="utf-8")
    ET.fromstring(page)  # raises on malformed XHTML
    block = re.search(r"<section class=\"quiz-answers\"[^>]*>", page).group(0)
    assert "hidden" not in block and "RIGHTWHY" in page


# --------------------------------------------------------------------------------------------------
# 3. The built book
# --------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.xdist_group("book")
@pytest.mark.parametrize("page", CHAPTERS)
def test_built_page_hides_answers_until_answered(built_book, page):
    soup = _soup(built_book / f"{page}.html")
    questions = quiz.load_quiz(quiz_file_of(page))
    forms = soup.select("form.quiz-question")
    assert len(forms) == len(questions), f"{page}: {len(forms)} rendered questions, {len(questions)} in the file"
    text = visible_text(soup)
    for form, q in zip(forms, questions):
        secret = quiz.unscramble(form["data-quiz"])
        assert q["prompt"] in text
        if q["kind"] == "choice":
            labels = [form.select_one(f'label[for="{i["id"]}"]').get_text() for i in form.select("input")]
            assert labels[secret["correct"]] == next(o["text"] for o in q["options"] if o["correct"])
            hidden = [o["why"] for o in q["options"]]
        else:
            assert (secret["answer"], secret["tolerance"]) == (q["answer"], q["tolerance"])
            hidden = [q["hint"], q["explanation"]]
        for secret_text in hidden:
            assert secret_text not in text, f"{page}: an explanation is visible before answering: {secret_text[:60]}"
    block = soup.select_one("section.quiz-answers")
    assert block is not None and block.has_attr("hidden"), f"{page}: no hidden print-only answers block"
    # It closes the chapter: no text of the article follows it.
    article = soup.select_one("article") or soup.body
    after = str(article).split(str(block), 1)[1]
    from bs4 import BeautifulSoup

    assert not BeautifulSoup(after, "html.parser").get_text().strip(), f"{page}: text after the answers block"


# --------------------------------------------------------------------------------------------------
# 4. In the browser
# --------------------------------------------------------------------------------------------------
# browser_context and site_url: the session fixtures of tests/conftest.py, shared with the site tests.

QUIZ_PAGE = "book/theory/framework"  # multiple choice and numeric questions
NOTEBOOK_QUIZ_PAGE = "notebooks/02_measurement"


def _open(context, base: str, docname: str):
    tab = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(base + f"{docname}.html", wait_until="networkidle")
    return tab, requests, errors


def _questions(docname):
    return quiz.load_quiz(quiz_file_of(docname))


@pytest.fixture
def quiz_tab(browser_context, site_url):
    tab, requests, errors = _open(browser_context, site_url, QUIZ_PAGE)
    yield tab, requests, errors, site_url
    tab.close()


def _feedback(form):
    feedback = form.locator(".quiz-feedback")
    feedback.wait_for(state="visible")
    return " ".join(feedback.inner_text().split())


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("book")
def test_right_and_wrong_answers_get_the_right_feedback(quiz_tab):
    tab, _, errors, _ = quiz_tab
    questions = _questions(QUIZ_PAGE)
    forms = tab.locator("form.quiz-question")
    for n, q in enumerate(questions):
        form = forms.nth(n)
        if q["kind"] == "choice":
            right = next(o for o in q["options"] if o["correct"])
            wrong = next(o for o in q["options"] if not o["correct"])
            form.locator("button.quiz-check").click()
            assert _feedback(form).startswith("Choose an option first")
            form.get_by_label(wrong["text"], exact=True).check()
            form.locator("button.quiz-check").click()
            assert _feedback(form) == f"Not quite. {wrong['why']} Try another option."
            form.get_by_label(right["text"], exact=True).check()
            form.locator("button.quiz-check").click()
            assert _feedback(form) == f"Correct. {right['why']}"
        else:
            box = form.get_by_label(re.compile("^Your answer"))
            box.fill("not a number")
            form.locator("button.quiz-check").click()
            assert _feedback(form).startswith("Type a number")
            box.fill(quiz._fmt(q["answer"] + 3 * q["tolerance"] + 1))
            form.locator("button.quiz-check").click()
            assert _feedback(form) == f"Not quite. {q['hint']} Try again."
            box.fill(quiz._fmt(q["answer"] + 0.5 * q["tolerance"]).replace(".", ","))  # a decimal comma is fine
            form.locator("button.quiz-check").click()
            assert _feedback(form) == f"Correct. {q['explanation']}"
    assert not errors, errors


def _tab_to(tab, element_id: str, limit: int = 800) -> None:
    """Press Tab until the element with ``element_id`` has focus (keyboard only, no focus() call)."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"Tab never reached #{element_id}")


def _verdict(form, options, checked: int) -> str:
    shown = form.locator("label").nth(checked).inner_text()
    return "Correct." if next(o for o in options if o["text"] == shown)["correct"] else "Not quite."


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("book")
def test_keyboard_only(quiz_tab):
    tab, _, errors, _ = quiz_tab
    questions = _questions(QUIZ_PAGE)
    forms = tab.locator("form.quiz-question")
    choice = next(i for i, q in enumerate(questions) if q["kind"] == "choice")
    numeric = next(i for i, q in enumerate(questions) if q["kind"] == "numeric")
    for n in sorted([choice, numeric]):  # in page order, tabbing forwards from the top
        form = forms.nth(n)
        if n == numeric:
            _tab_to(tab, form.locator("input[type=text]").get_attribute("id"))
            tab.keyboard.type(quiz._fmt(questions[n]["answer"]))
            tab.keyboard.press("Enter")  # submits the question's form
            assert _feedback(form).startswith("Correct.")
            continue
        radios = form.locator("input[type=radio]")
        _tab_to(tab, radios.first.get_attribute("id"))
        tab.keyboard.press("Space")  # selects the focused option
        assert radios.first.is_checked()
        tab.keyboard.press("Tab")  # a radio group is one tab stop: next comes the Check button
        assert tab.evaluate("document.activeElement.className") == "quiz-check"
        tab.keyboard.press("Enter")
        assert _feedback(form).startswith(_verdict(form, questions[n]["options"], 0))
        tab.keyboard.press("Shift+Tab")  # back into the group, then the arrow keys move the choice
        tab.keyboard.press("ArrowDown")
        assert radios.nth(1).is_checked()
        tab.keyboard.press("Tab")
        tab.keyboard.press("Space")  # Space presses a button too
        assert _feedback(form).startswith(_verdict(form, questions[n]["options"], 1))
    assert not errors, errors


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("book")
@pytest.mark.parametrize("docname", [QUIZ_PAGE, NOTEBOOK_QUIZ_PAGE])
def test_quiz_pages_pass_axe_before_and_after_answering(browser_context, site_url, docname):
    from site_axe import blocking_violations, describe
    from site_browser import axe_script

    tab, requests, errors = _open(browser_context, site_url, docname)
    try:
        assert not blocking_violations(tab, axe_script()), describe(blocking_violations(tab, axe_script()))
        forms = tab.locator("form.quiz-question")
        for n in range(forms.count()):  # show every kind of feedback, then check again
            form = forms.nth(n)
            radios = form.locator("input[type=radio]")
            if radios.count():
                radios.first.check()
            else:
                form.locator("input[type=text]").fill("12345")
            form.locator("button.quiz-check").click()
        violations = blocking_violations(tab, axe_script())
        assert not violations, describe(violations)
        outside = [u for u in requests if not u.startswith(site_url) and not u.startswith(("data:", "blob:"))]
        assert not outside, f"{docname} fetched from outside: {outside}"
        assert not errors, errors
    finally:
        tab.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("book")
def test_answers_show_only_in_print_at_the_chapter_end(quiz_tab):
    tab, requests, _, base = quiz_tab
    questions = _questions(QUIZ_PAGE)
    block = tab.locator("section.quiz-answers")
    explanation = next(o["why"] for o in questions[0]["options"] if o["correct"]) if questions[0]["kind"] == "choice" \
        else questions[0]["explanation"]
    assert not block.is_visible()
    assert explanation not in tab.locator("main").aria_snapshot()  # not in the accessibility tree on screen
    assert explanation not in tab.locator("main").inner_text()
    tab.emulate_media(media="print")
    try:
        assert block.is_visible()
        assert explanation in " ".join(block.inner_text().split())
        assert not tab.locator("button.quiz-check").first.is_visible()
        # Below the chapter's last section ("Further reading"), i.e. at the chapter end.
        further = tab.locator("#further-reading")
        assert further.bounding_box()["y"] < block.bounding_box()["y"]
    finally:
        tab.emulate_media(media="screen")
    assert all(u.startswith(base) or u.startswith("data:") for u in requests), requests
