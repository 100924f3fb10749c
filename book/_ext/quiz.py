"""Sphinx extension: self-check quizzes that work offline, by keyboard and screen reader.

A page adds a quiz with one directive naming a YAML file (path relative to the page, or to the book's
root when it starts with ``/``)::

    ```{quiz} /book/quizzes/framework.yml
    ```

The YAML file holds a list ``questions``; each is either multiple choice with exactly one correct
option, or numeric with a tolerance::

    questions:
      - prompt: Which construct is a driver?
        options:
          - text: Governance
            correct: true
            why: Why this is right.
          - text: Identity
            why: Why this is wrong.
      - prompt: How many items measure the eight constructs in total?
        answer: 32
        tolerance: 0.5
        hint: Said when the answer is wrong; must not give the value away.
        explanation: Said when the answer is right.

The directive renders native HTML controls (one ``fieldset``/``legend`` per question, radio buttons
with labels or a labelled text box, a Check button and an ``aria-live="polite"`` feedback region).
The correct answers and explanations are **not** in the page text: they travel XOR-scrambled and
base64-encoded in a ``data-quiz`` attribute that ``quiz.js`` decodes when the reader presses Check.
That keeps the answer out of sight of a reader who skims ahead (and of Ctrl+F); it is a guard
against spoilers, not security: anyone can decode it.

For print (the PDF), an answers block is added at the end of the chapter. It carries the ``hidden``
attribute, so on screen it is neither shown nor in the accessibility tree; ``quiz.css`` reveals it
under ``@media print``, together with the questions, and hides the Check buttons and feedback.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tested by tests/test_quiz.py.
"""

from __future__ import annotations

import base64
import html
import json
import math
import random
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

#: Folder holding quiz.js and quiz.css; copied into the site's ``_static``.
STATIC_DIR = Path(__file__).with_name("quiz_static")

#: The book's quiz files (one per page); their catalogs are ``locale/<lang>/LC_MESSAGES/quizzes/<stem>.po``.
QUIZ_DIR = Path(__file__).resolve().parents[1] / "quizzes"

#: Every text of the quiz's interface, in English; translated through the catalog ``quizzes/_ui``. The keys
#: are the English texts; ``{n}``/``{tolerance}`` are filled in after translation. The JS texts reach
#: quiz.js in the quiz's ``data-quiz-ui`` attribute (JSON), so the page needs no other file (works from file://).
UI_TEXT = {
    "{n} questions to check your understanding of this chapter. Choose or type an answer and press "
    "<em>Check</em>: the feedback explains why. The printed book lists the answers at the end of the chapter.": "intro",
    "Question {n}.": "number",
    "Check": "check",
    "Your answer": "answer",
    "Self-check quiz: answers": "answers_title",
    "(accepted within ±{tolerance}).": "accepted",
    "Correct. ": "js_right",
    "Not quite. ": "js_wrong",
    "Choose an option first, then press Check.": "js_choose",
    " Try another option.": "js_other",
    "Type a number (for example 0.75), then press Check.": "js_number",
    " Try again.": "js_again",
}

#: Key of the XOR scramble. Changing it needs the same change in quiz_static/quiz.js.
SCRAMBLE_KEY = b"chaoyang-self-check"

#: Class of the print-only answers block (the build moves every such block to the end of its page).
ANSWERS_CLASS = "quiz-answers"

#: Bounds on the number of questions in one quiz (the book asks five to eight per chapter).
MIN_QUESTIONS, MAX_QUESTIONS = 1, 12


class QuizError(ExtensionError):
    """A quiz file that cannot be used; the message names the file, the question and the field."""


# --------------------------------------------------------------------------------------------------
# Reading and checking a quiz file
# --------------------------------------------------------------------------------------------------
def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuizError(f"{where} must be a non-empty text; got {value!r}")
    return " ".join(value.split())


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise QuizError(f"{where} must be a finite number; got {value!r}")
    return float(value)


def check_question(question: dict, where: str) -> dict:
    """Validate one question and return it normalised (whitespace collapsed, numbers as floats).

    Parameters
    ----------
    question : dict
        A multiple-choice question (keys ``prompt``, ``options``: list of dicts with ``text``, ``why``
        and ``correct: true`` on exactly one) or a numeric one (keys ``prompt``, ``answer``,
        ``tolerance`` > 0, ``hint``, ``explanation``, optional ``unit``).
    where : str
        Where the question comes from, for error messages, e.g. ``"ch.yml question 2"``.

    Returns
    -------
    dict
        ``kind`` ("choice" or "numeric") plus the validated fields.

    Raises
    ------
    QuizError
        Naming the question and the field that is wrong and what it must be.

    Examples
    --------
    >>> q = check_question({"prompt": "2 + 2?", "answer": 4, "tolerance": 0.5,
    ...                     "hint": "Add.", "explanation": "Two and two make four."}, "demo")
    >>> q["kind"], q["answer"], q["tolerance"]
    ('numeric', 4.0, 0.5)
    """
    if not isinstance(question, dict):
        raise QuizError(f"{where} must be a mapping with a 'prompt'; got {question!r}")
    prompt = _text(question.get("prompt"), f"{where}: 'prompt'")
    if "options" in question:
        unknown = set(question) - {"prompt", "options"}
        if unknown:
            raise QuizError(f"{where}: unknown keys {sorted(unknown)} for a multiple-choice question "
                            "(use 'prompt' and 'options')")
        options = question["options"]
        if not isinstance(options, list) or len(options) < 2:
            raise QuizError(f"{where}: 'options' must list at least two options")
        clean = []
        for j, option in enumerate(options, start=1):
            if not isinstance(option, dict):
                raise QuizError(f"{where} option {j} must be a mapping with 'text' and 'why'")
            unknown = set(option) - {"text", "why", "correct"}
            if unknown:
                raise QuizError(f"{where} option {j}: unknown keys {sorted(unknown)} (use text, why, correct)")
            correct = option.get("correct", False)
            if not isinstance(correct, bool):
                raise QuizError(f"{where} option {j}: 'correct' must be true or false; got {correct!r}")
            clean.append({"text": _text(option.get("text"), f"{where} option {j}: 'text'"),
                          "why": _text(option.get("why"), f"{where} option {j}: 'why' (the explanation)"),
                          "correct": correct})
        n_correct = sum(o["correct"] for o in clean)
        if n_correct != 1:
            raise QuizError(f"{where}: exactly one option must have 'correct: true'; found {n_correct}")
        if len({o["text"] for o in clean}) != len(clean):
            raise QuizError(f"{where}: two options have the same text")
        return {"kind": "choice", "prompt": prompt, "options": clean}
    if "answer" in question:
        unknown = set(question) - {"prompt", "answer", "tolerance", "unit", "hint", "explanation"}
        if unknown:
            raise QuizError(f"{where}: unknown keys {sorted(unknown)} for a numeric question "
                            "(use prompt, answer, tolerance, unit, hint, explanation)")
        tolerance = _number(question.get("tolerance"), f"{where}: 'tolerance'")
        if tolerance <= 0:
            raise QuizError(f"{where}: 'tolerance' must be > 0 (an exact float match is unfair); got {tolerance}")
        unit = question.get("unit", "")
        if not isinstance(unit, str):
            raise QuizError(f"{where}: 'unit' must be a text; got {unit!r}")
        return {"kind": "numeric", "prompt": prompt,
                "answer": _number(question.get("answer"), f"{where}: 'answer'"), "tolerance": tolerance,
                "unit": unit.strip(), "hint": _text(question.get("hint"), f"{where}: 'hint'"),
                "explanation": _text(question.get("explanation"), f"{where}: 'explanation'")}
    raise QuizError(f"{where}: a question needs 'options' (multiple choice) or 'answer' (numeric)")


def load_quiz(path: Path) -> list[dict]:
    """Read a quiz YAML file and return its validated questions.

    Parameters
    ----------
    path : pathlib.Path
        A YAML file with a top-level ``questions`` list (see the module docstring).

    Returns
    -------
    list of dict
        One normalised question per entry (see :func:`check_question`).

    Raises
    ------
    QuizError
        If the file is missing, is not YAML, or holds a malformed question.
    """
    path = Path(path)
    if not path.is_file():
        raise QuizError(f"quiz file {path} not found; give a path relative to the page or starting with / "
                        "(relative to the book's root)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise QuizError(f"quiz file {path} is not valid YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise QuizError(f"quiz file {path} must hold a mapping with a 'questions' list")
    questions = data["questions"]
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        raise QuizError(f"quiz file {path} has {len(questions)} questions; use {MIN_QUESTIONS} to {MAX_QUESTIONS}")
    return [check_question(q, f"{path.name} question {i}") for i, q in enumerate(questions, start=1)]


# --------------------------------------------------------------------------------------------------
# Translation: the catalog messages of a quiz, and a quiz in another language
# --------------------------------------------------------------------------------------------------
def quiz_messages(questions: list[dict]) -> list[tuple[str, str]]:
    """The texts of a quiz a translator translates, as ``(message, where)`` pairs in quiz order.

    Every prompt, option text, ``why``, ``hint``, ``explanation`` and non-empty ``unit``; numbers are not
    messages (they are the same in every language).

    Examples
    --------
    >>> quiz_messages([check_question({"prompt": "2 + 2?", "answer": 4, "tolerance": 0.5,
    ...                                "hint": "Add.", "explanation": "Four."}, "demo")])
    [('2 + 2?', 'question 1: prompt'), ('Add.', 'question 1: hint'), ('Four.', 'question 1: explanation')]
    """
    out = []
    for n, q in enumerate(questions, start=1):
        out.append((q["prompt"], f"question {n}: prompt"))
        if q["kind"] == "choice":
            for j, option in enumerate(q["options"], start=1):
                out += [(option["text"], f"question {n}: option {j}"), (option["why"], f"question {n}: option {j} why")]
        else:
            out += [(q[key], f"question {n}: {key}") for key in ("unit", "hint", "explanation") if q[key]]
    return out


def translate_questions(questions: list[dict], translate) -> list[dict]:
    """The questions with every text passed through ``translate`` (numbers and the correct flag unchanged)."""
    out = []
    for q in questions:
        q = dict(q, prompt=translate(q["prompt"]))
        if q["kind"] == "choice":
            q["options"] = [dict(o, text=translate(o["text"]), why=translate(o["why"])) for o in q["options"]]
        else:
            q.update({key: translate(q[key]) if q[key] else q[key] for key in ("unit", "hint", "explanation")})
        out.append(q)
    return out


def ui_text(lang: str = "en") -> dict:
    """The interface texts in ``lang``, by key (``"check"``, ``"js_right"`` …), from the catalog ``quizzes/_ui``.

    Examples
    --------
    >>> ui_text("en")["check"]
    'Check'
    """
    from chaoyang.teaching.catalogs import translator

    translate = translator("quizzes/_ui", lang)
    return {key: translate(english) for english, key in UI_TEXT.items()}


def quiz_in(path: Path, lang: str = "en") -> list[dict]:
    """:func:`load_quiz` in ``lang``: English texts replaced by the catalog ``quizzes/<stem>`` (untranslated
    ones stay English; tests/test_quiz_i18n.py requires every catalog complete)."""
    from chaoyang.teaching.catalogs import check_language, translator

    questions = load_quiz(path)
    if check_language(lang) == "en":
        return questions
    return translate_questions(questions, translator(f"quizzes/{Path(path).stem}", lang))


# --------------------------------------------------------------------------------------------------
# Scrambling (against spoilers, not security) and HTML
# --------------------------------------------------------------------------------------------------
def scramble(payload: dict) -> str:
    """Encode ``payload`` as JSON, XOR it with :data:`SCRAMBLE_KEY` and return it base64-encoded.

    This keeps answers out of the page text so a reader cannot see them before answering. It is
    not encryption: ``quiz.js`` (and anyone curious) reverses it with :func:`unscramble`'s steps.

    Examples
    --------
    >>> unscramble(scramble({"answer": 3}))
    {'answer': 3}
    """
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    mixed = bytes(b ^ SCRAMBLE_KEY[i % len(SCRAMBLE_KEY)] for i, b in enumerate(raw))
    return base64.b64encode(mixed).decode("ascii")


def unscramble(encoded: str) -> dict:
    """Invert :func:`scramble` (used by the tests; the browser does the same in quiz.js)."""
    mixed = base64.b64decode(encoded)
    raw = bytes(b ^ SCRAMBLE_KEY[i % len(SCRAMBLE_KEY)] for i, b in enumerate(mixed))
    return json.loads(raw.decode("utf-8"))


def _fmt(x: float) -> str:
    return f"{x:g}"


def displayed(question: dict, key: str) -> dict:
    """Return ``question`` with its options in a fixed pseudo-random order seeded by ``key``.

    Authors write the correct option first or anywhere; readers should not learn that "the first
    option is right". The order depends only on ``key`` (the question's element id), so every build
    of the book shows the same order.
    """
    if question["kind"] != "choice":
        return question
    options = list(question["options"])
    random.Random(key).shuffle(options)
    return {**question, "options": options}


def _secret(question: dict) -> dict:
    if question["kind"] == "choice":
        return {"kind": "choice", "correct": next(i for i, o in enumerate(question["options"]) if o["correct"]),
                "why": [o["why"] for o in question["options"]]}
    return {"kind": "numeric", "answer": question["answer"], "tolerance": question["tolerance"],
            "hint": question["hint"], "explanation": question["explanation"]}


def render_quiz(questions: list[dict], quiz_id: str, lang: str = "en") -> str:
    """Return the HTML of the interactive quiz; no answer appears in it in clear.

    Parameters
    ----------
    questions : list of dict
        Validated questions from :func:`load_quiz` (already translated: :func:`quiz_in`).
    quiz_id : str
        Unique id on the page, used as the prefix of every element id.
    lang : str
        Language of the interface texts (:func:`ui_text`); quiz.js reads its texts from ``data-quiz-ui``.
    """
    esc = html.escape
    ui = ui_text(lang)
    js_ui = {key[3:]: value for key, value in ui.items() if key.startswith("js_")}
    parts = [f'<div class="quiz" id="{quiz_id}" data-quiz-ui="{esc(json.dumps(js_ui, ensure_ascii=False))}">',
             f'<p class="quiz-intro">{ui["intro"].format(n=len(questions))}</p>']
    for n, q in enumerate(questions, start=1):
        qid = f"{quiz_id}-q{n}"
        q = displayed(q, qid)
        parts.append(f'<form class="quiz-question quiz-{q["kind"]}" id="{qid}" data-quiz="{scramble(_secret(q))}">')
        parts.append(f'<fieldset><legend><span class="quiz-number">{esc(ui["number"].format(n=n))}</span> '
                     f'{esc(q["prompt"])}</legend>')
        if q["kind"] == "choice":
            parts.append('<div class="quiz-options">')
            for j, option in enumerate(q["options"]):
                oid = f"{qid}-o{j + 1}"
                parts.append(f'<div class="quiz-option"><input type="radio" name="{qid}" id="{oid}" value="{j}" />'
                             f'<label for="{oid}">{esc(option["text"])}</label></div>')
            parts.append("</div>")
        else:
            unit = f" ({esc(q['unit'])})" if q["unit"] else ""
            parts.append(f'<div class="quiz-numeric-row"><label for="{qid}-input">{esc(ui["answer"])}{unit}</label> '
                         f'<input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" '
                         f'id="{qid}-input" name="{qid}" size="10" /></div>')
        parts.append(f'<button type="submit" class="quiz-check">{esc(ui["check"])}</button>')
        parts.append(f'<div class="quiz-feedback" id="{qid}-feedback" aria-live="polite"></div>')
        parts.append("</fieldset></form>")
    parts.append("</div>")
    return "\n".join(parts)


def render_answers(questions: list[dict], quiz_id: str, lang: str = "en") -> str:
    """Return the print-only answers block (``hidden`` on screen, shown by quiz.css in print)."""
    esc = html.escape
    ui = ui_text(lang)
    items = []
    for q in questions:
        if q["kind"] == "choice":
            right = next(o for o in q["options"] if o["correct"])
            items.append(f"<li><strong>{esc(right['text'])}</strong> {esc(right['why'])}</li>")
        else:
            unit = f" {esc(q['unit'])}" if q["unit"] else ""
            accepted = esc(ui["accepted"].format(tolerance=_fmt(q["tolerance"])))
            items.append(f"<li><strong>{_fmt(q['answer'])}{unit}</strong> {accepted} "
                         f"{esc(q['explanation'])}</li>")
    return (f'<section class="{ANSWERS_CLASS}" id="{quiz_id}-answers" hidden>'
            f'<h2 class="quiz-answers-title">{esc(ui["answers_title"])}</h2><ol>{"".join(items)}</ol></section>')


# --------------------------------------------------------------------------------------------------
# Sphinx glue
# --------------------------------------------------------------------------------------------------
class quiz_answers(nodes.General, nodes.Element):
    """The print-only answers of one quiz; its HTML is in the ``html`` attribute.

    Not a ``raw`` node: Sphinx's search index collects the words of raw HTML, and the answers
    should not be searchable on the site.
    """


def _visit_answers_html(self, node) -> None:
    # An EPUB is read like the printed book (and without scripts): the answers show at the chapter end.
    markup = node["html"]
    if self.builder.name.startswith("epub"):
        markup = markup.replace(" hidden>", ">", 1)
    self.body.append(markup)
    raise nodes.SkipNode


def _skip(self, node) -> None:
    raise nodes.SkipNode


class QuizDirective(SphinxDirective):
    """``{quiz} <path.yml>``: the quiz in the page, its answers at the end of the page (print only)."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec = {"name": directives.unchanged}

    def run(self):
        rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(rel)
        from chaoyang.teaching.catalogs import edition_language

        # The Chinese edition passes language=zh_CN to Sphinx; the quiz's catalog is a dependency of the page.
        lang = edition_language(self.config.language)
        try:
            questions = quiz_in(Path(path), lang)
        except QuizError as error:
            raise self.error(f"quiz: {error}") from error
        serial = self.env.temp_data.get("quiz_serial", 0) + 1
        self.env.temp_data["quiz_serial"] = serial
        stem = self.options.get("name") or Path(path).stem
        quiz_id = nodes.make_id(f"quiz-{stem}-{serial}")
        if lang != "en":
            from chaoyang.teaching.catalogs import catalog_path

            for domain in (f"quizzes/{Path(path).stem}", "quizzes/_ui"):
                self.env.note_dependency(str(catalog_path(domain, lang)))
        quiz = nodes.raw("", render_quiz(questions, quiz_id, lang), format="html", classes=["quiz-raw"])
        answers = quiz_answers("", html=render_answers(questions, quiz_id, lang))
        return [quiz, answers]


def _answers_to_page_end(app, doctree, docname) -> None:
    # The answers block must print at the chapter's end, after "Further reading" and the like, not
    # right below the quiz. The chapter is the page's first top-level section.
    blocks = list(doctree.findall(quiz_answers))
    if not blocks:
        return
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    target = sections[-1] if sections else doctree
    for block in blocks:
        block.parent.remove(block)
        target.append(block)


def _add_assets(app, pagename, templatename, context, doctree) -> None:
    # Only pages that hold a quiz load its script and style.
    if doctree is not None and any("quiz-raw" in n.get("classes", []) for n in doctree.findall(nodes.raw)):
        app.add_css_file("quiz.css")
        app.add_js_file("quiz.js", loading_method="defer")


def _static_path(app, config) -> None:
    if not (STATIC_DIR / "quiz.js").is_file():
        raise ExtensionError(f"quiz extension: {STATIC_DIR / 'quiz.js'} is missing")
    config.html_static_path = list(config.html_static_path) + [str(STATIC_DIR)]


def setup(app):
    app.add_node(quiz_answers, html=(_visit_answers_html, None), latex=(_skip, None), text=(_skip, None),
                 man=(_skip, None), texinfo=(_skip, None))
    app.add_directive("quiz", QuizDirective)
    app.connect("config-inited", _static_path)
    app.connect("doctree-resolved", _answers_to_page_end)
    app.connect("html-page-context", _add_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
