"""The student-visible texts of the teaching code, collected for the catalog ``teaching``.

Students read the public checks' messages (in ``grader.check`` and on feedback pages), the hidden checks' hints,
the names of public checks and the feedback page itself. Those texts stay English in the code and in the grade
records; they are translated where they are shown (:func:`chaoyang.teaching.feedback.render_html`,
:class:`chaoyang.teaching.checks.CheckReport`), from ``src/chaoyang/locale/<lang>/LC_MESSAGES/teaching.po`` (shipped in the wheel).

:func:`teaching_messages` finds them by reading the source (no import of the checks, no grading):

- the message of every ``need(condition, "message")`` in ``chaoyang/teaching/checks/``;
- the ``hint=`` of every ``Check`` and the name of every public ``Check``;
- every ``N_("…")`` of the teaching package (feedback pages, the notebook's check report, common messages, the
  placeholder of written answers in student notebooks).

An f-string becomes a template: ``f"found {len(bars)} bars"`` is the message ``"found {value} bars"``, which
:func:`chaoyang.teaching.catalogs.translator` matches against the formatted text.

Examples
--------
>>> messages = dict(teaching_messages())
>>> "kappa_second must be a float" in messages
True
>>> any(m.startswith("the chart needs six bars, one per form; found {") for m in messages)
True
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["teaching_messages", "SOURCES"]

_PACKAGE = Path(__file__).resolve().parent

#: The files whose student-visible texts are collected.
SOURCES = tuple(sorted((_PACKAGE / "checks").glob("*.py"))) + (_PACKAGE / "feedback.py", _PACKAGE / "assignments.py")


def _text(node) -> str | None:
    """A string constant, or an f-string as a ``{placeholder}`` template; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts, used = [], {}
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            name = value.value.id if isinstance(value.value, ast.Name) else "value"
            used[name] = used.get(name, 0) + 1
            parts.append("{" + (name if used[name] == 1 else f"{name}{used[name]}") + "}")
        return "".join(parts)
    return None


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _messages_of(path: Path) -> list[tuple[str, str]]:
    out = []
    where = path.relative_to(_PACKAGE.parent).as_posix()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        found = []
        if name == "need" and len(node.args) >= 2:
            found.append((_text(node.args[1]), "check message"))
        elif name == "N_" and node.args:
            found.append((_text(node.args[0]), "text"))
        elif name == "Check":
            keywords = {k.arg: k.value for k in node.keywords}
            hidden = isinstance(keywords.get("hidden"), ast.Constant) and keywords["hidden"].value is True
            if "hint" in keywords:
                found.append((_text(keywords["hint"]), "hint of a hidden check"))
            if not hidden and node.args:
                found.append((_text(node.args[0]), "name of a public check"))
        out += [(text, f"{where}:{node.lineno} {kind}") for text, kind in found if text and text.strip()]
    return sorted(out, key=lambda pair: int(pair[1].split(":")[1].split()[0]))


def teaching_messages() -> list[tuple[str, str]]:
    """Every student-visible text of the teaching code as ``(message, where)``, in file and line order."""
    return [pair for path in SOURCES for pair in _messages_of(path)]
