"""Parse lavaan model syntax into a list of specified parameters.

Supported: ``=~`` (measurement), ``~`` (regression), ``~~`` (variance /
covariance), ``:=`` (defined parameter), modifiers before a variable
(``a1*x`` label, ``0.5*x`` fixed value, ``NA*x`` free a first loading,
chains such as ``NA*l1*x``), several left-hand sides (``y1 + y2 ~ x``),
``;`` or newline as separators, ``#`` and ``!`` comments and formulas that
continue on the next line after a trailing ``+``.

Also read (and fitted by :mod:`chaoyang.sem.extended`): intercepts and means
(``y ~ 1``, ``f ~ 0*1``, ``y ~ a*1``; op ``"~1"``), per-group modifiers
(``c(a1, a2)*x``, ``c(1, NA)*x``) and constraints ``lhs == rhs``, ``lhs < rhs``,
``lhs > rhs`` over labels (kept in :attr:`ParsedModel.constraints`).

Not supported (a :class:`~chaoyang.sem.errors.SEMSyntaxError` says so):
thresholds (``|``), scaling factors (``~*~``) and the ``start()``/``equal()``/
``label()``/``lower()``/``upper()`` modifiers.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field

from .errors import SEMDefinedError, SEMSyntaxError, suggest

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.]*\Z")
LABEL_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
NUMBER_PATTERN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
# Modifiers that Python's float() or lavaan read as numbers or missing: never labels.
NUMBER_WORDS = {"nan", "inf", "infinity", "na"}
# Longest operators first so that "=~" is not read as "~".
OPERATORS = (":=", "=~", "~~", "~*~", "==", "<", ">", "~")


@dataclass
class SpecifiedParameter:
    """One parameter written (or implied) by the model syntax.

    Attributes
    ----------
    lhs, op, rhs : str
        lavaan's triple, e.g. ``("visual", "=~", "x1")``.
    label : str
        User label (``""`` if none). Parameters sharing a label are constrained equal.
    fixed : float or None
        The fixed value, or ``None`` for a free parameter.
    user : bool
        True if written in the syntax, False if added by lavaan's defaults.
    """

    lhs: str
    op: str
    rhs: str
    label: str = ""
    fixed: float | None = None
    user: bool = True
    force_free: bool = False  # "NA*x": do not fix the first loading
    group_mods: tuple | None = None  # c(...) modifier: one (label, fixed, force_free) per group

    @property
    def key(self) -> tuple[str, str, str]:
        """The ``(lhs, op, rhs)`` triple (covariances in written order)."""
        return (self.lhs, self.op, self.rhs)


@dataclass
class DefinedParameter:
    """A ``name := expression`` line.

    The expression may use labels, earlier defined parameters, numbers,
    ``+ - * /``, ``**``/``^`` (power) and parentheses.

    Examples
    --------
    >>> d = DefinedParameter.from_text("ind1", "a1*b1")
    >>> d.evaluate({"a1": 0.5, "b1": 0.4})
    0.2
    """

    name: str
    expression: str
    names: tuple[str, ...] = field(default_factory=tuple)
    _tree: ast.Expression | None = field(default=None, repr=False)

    @classmethod
    def from_text(cls, name: str, expression: str) -> "DefinedParameter":
        """Compile ``expression`` (lavaan's ``^`` is read as a power)."""
        text = expression.strip().replace("^", "**")
        if not text:
            raise SEMSyntaxError(f"Defined parameter {name!r} has an empty expression after ':='.")
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise SEMSyntaxError(
                f"Cannot read the expression of defined parameter {name!r}: {expression!r} ({exc.msg})."
                " Use labels, numbers, + - * / ^ and parentheses."
            ) from None
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                if node.id not in names:
                    names.append(node.id)
            elif not isinstance(
                node,
                (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Load, ast.Add, ast.Sub,
                 ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd),
            ):
                raise SEMSyntaxError(
                    f"Defined parameter {name!r}: {expression!r} uses {type(node).__name__}, which is not allowed;"
                    " only labels, numbers, + - * / ^ and parentheses are."
                )
            if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
                raise SEMSyntaxError(f"Defined parameter {name!r}: {node.value!r} is not a number.")
        return cls(name=name, expression=expression.strip(), names=tuple(names), _tree=tree)

    def evaluate(self, values: dict[str, float]) -> float:
        """Value of the expression given a mapping label -> value.

        Raises
        ------
        SEMDefinedError
            The value is not a finite number (division by zero, overflow, a negative number
            to a fractional power); lavaan would report ``Inf``/``NaN`` without a message.
        """
        try:
            value = float(_eval_node(self._tree.body, values, self.name))
        except ZeroDivisionError:
            value = math.nan
        except (OverflowError, ValueError):
            value = math.inf
        if not math.isfinite(value):
            shown = ", ".join(f"{k} = {values[k]:.4g}" for k in self.names if k in values)
            raise SEMDefinedError(
                f"Defined parameter {self.name!r} := {self.expression} has no finite value at the estimates "
                f"({shown}): it divides by zero, overflows or takes a fractional power of a negative number. "
                "Rewrite the expression (e.g. avoid dividing by a parameter fixed at 0).")
        return value


def _eval_node(node: ast.AST, values: dict[str, float], owner: str) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _eval_node(node.operand, values, owner)
        return -inner if isinstance(node.op, ast.USub) else inner
    left = _eval_node(node.left, values, owner)
    right = _eval_node(node.right, values, owner)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if isinstance(node.op, ast.Div):
        return left / right  # ZeroDivisionError is turned into SEMDefinedError by evaluate()
    return math.pow(left, right)  # float power: ValueError instead of a complex number


@dataclass
class ParsedModel:
    """What the syntax says: specified parameters in written order and defined parameters."""

    parameters: list[SpecifiedParameter]
    defined: list[DefinedParameter]
    constraints: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def extended(self) -> bool:
        """True when the model needs the mean-structure engine (intercepts, ``c()``, constraints)."""
        return bool(self.constraints) or any(p.op == "~1" or p.group_mods is not None for p in self.parameters)


def _split_statements(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in line.split(";"):
            if part.strip():
                lines.append(part.strip())
    statements: list[str] = []
    for line in lines:
        # lavaan lets a formula continue after a trailing operator or with a leading "+".
        if statements and (statements[-1].endswith(("+", "*", "=~", "~", ":=")) or line.startswith("+")):
            statements[-1] = statements[-1] + " " + line
        else:
            statements.append(line)
    return statements


def _find_operator(statement: str) -> tuple[str, int]:
    best: tuple[int, str] | None = None
    for op in OPERATORS:
        idx = statement.find(op)
        if idx >= 0 and (best is None or idx < best[0] or (idx == best[0] and len(op) > len(best[1]))):
            best = (idx, op)
    if best is None:
        raise SEMSyntaxError(
            f"No lavaan operator in {statement!r}. Use '=~' (measured by), '~' (regressed on), "
            "'~~' (covaries with) or ':=' (defined as)."
        )
    return best[1], best[0]


def _parse_modifier(modifier: str, statement: str) -> tuple[str, float | None, bool]:
    """(label, fixed value, force_free) of one modifier such as ``a1``, ``0.5`` or ``NA``."""
    if NUMBER_PATTERN.match(modifier):
        fixed = float(modifier)
        if not math.isfinite(fixed) or (fixed != 0 and not 1e-8 <= abs(fixed) <= 1e8):
            raise SEMSyntaxError(
                f"The fixed value {modifier!r} in {statement!r} is outside the range chaoyang.sem accepts "
                "(0, or 1e-8 to 1e8 in absolute value); rescale the variables instead.")
        return "", fixed, False
    if modifier == "NA":
        return "", None, True
    if LABEL_PATTERN.match(modifier):
        if modifier.lower() in NUMBER_WORDS:
            raise SEMSyntaxError(
                f"The modifier {modifier!r} in {statement!r} reads as a number that is not finite (or as "
                "lavaan's NA); fixed values must be finite numbers and labels must not look like numbers.")
        if modifier.startswith("_"):
            raise SEMSyntaxError(f"Label {modifier!r} may not start with '_' (reserved).")
        return modifier, None, False
    raise SEMSyntaxError(
        f"Cannot read the modifier {modifier!r} in {statement!r}; use a label such as a1 or a number."
    )


def _split_product(term: str) -> list[str]:
    """Split ``c(a, b)*0.5*x`` at the '*' signs outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in term:
        depth += char == "("
        depth -= char == ")"
        if char == "*" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _parse_term(term: str, statement: str) -> tuple[str, str, float | None, bool, tuple | None]:
    """Return (variable, label, fixed value, force_free, per-group modifiers) of one right-hand-side term."""
    parts = _split_product(term)
    if any(not p for p in parts):
        raise SEMSyntaxError(f"Empty term around '*' or '+' in {statement!r}.")
    variable = parts[-1]
    if variable != "1" and not NAME_PATTERN.match(variable):
        raise SEMSyntaxError(
            f"{variable!r} in {statement!r} is not a valid variable name (letters, digits, '_' and '.', "
            "starting with a letter)."
        )
    label, fixed, force_free, group_mods = "", None, False, None
    for modifier in parts[:-1]:
        if modifier.replace(" ", "").startswith("c(") and modifier.endswith(")"):
            items = [x.strip() for x in modifier.replace(" ", "")[2:-1].split(",")]
            if not items or any(not x for x in items):
                raise SEMSyntaxError(f"Empty entry in {modifier!r} in {statement!r}; write one value per group.")
            group_mods = tuple(_parse_modifier(x, statement) for x in items)
        elif modifier.startswith(("start(", "equal(", "label(", "lower(", "upper(")):
            kind = modifier.split("(")[0]
            raise SEMSyntaxError(f"{modifier!r} in {statement!r}: the {kind}() modifier is not supported. "
                                 "Use a plain label (a1*x), a number (1*x), c(a1, a2)*x or a constraint line.")
        else:
            new_label, new_fixed, new_free = _parse_modifier(modifier, statement)
            label = new_label or label
            fixed = new_fixed if new_fixed is not None else fixed
            force_free = force_free or new_free
    return variable, label, fixed, force_free, group_mods


def parse_model(text: str) -> ParsedModel:
    """Parse lavaan model syntax.

    Parameters
    ----------
    text : str
        Model in lavaan syntax (``=~``, ``~``, ``~~``, ``:=``, labels, fixed values).

    Returns
    -------
    ParsedModel
        The specified parameters in written order and the defined parameters.

    Raises
    ------
    SEMSyntaxError
        For unreadable lines, unsupported lavaan features (intercepts, thresholds,
        groups, constraints) and labels used in ``:=`` that are defined nowhere.

    Examples
    --------
    >>> m = parse_model("M ~ a*X\\nY ~ b*M + c*X\\nind := a*b")
    >>> [(p.lhs, p.op, p.rhs, p.label) for p in m.parameters]
    [('M', '~', 'X', 'a'), ('Y', '~', 'M', 'b'), ('Y', '~', 'X', 'c')]
    >>> m.defined[0].name, m.defined[0].expression
    ('ind', 'a*b')
    """
    if not isinstance(text, str):
        raise SEMSyntaxError(f"The model must be a string of lavaan syntax, not {type(text).__name__}.")
    parameters: list[SpecifiedParameter] = []
    defined: list[DefinedParameter] = []
    constraints: list[tuple[str, str, str]] = []
    for statement in _split_statements(text):
        if "|" in statement:
            raise SEMSyntaxError(f"{statement!r}: thresholds ('|') belong to ordinal (WLSMV) models, not supported.")
        op, idx = _find_operator(statement)
        left, right = statement[:idx].strip(), statement[idx + len(op):].strip()
        if op in ("==", "<", ">"):
            if not left or not right:
                raise SEMSyntaxError(f"{statement!r} needs something on both sides of {op!r}.")
            DefinedParameter.from_text("constraint", left)  # same expression grammar as ':='
            DefinedParameter.from_text("constraint", right)
            constraints.append((left, op, right))
            continue
        if op == "~*~":
            raise SEMSyntaxError(f"{statement!r}: scaling factors (~*~) belong to ordinal models, not supported.")
        if not left or not right:
            raise SEMSyntaxError(f"{statement!r} needs something on both sides of {op!r}.")
        if op == ":=":
            if not LABEL_PATTERN.match(left):
                raise SEMSyntaxError(f"{left!r} is not a valid name for a defined parameter.")
            defined.append(DefinedParameter.from_text(left, right))
            continue
        lhs_names = [s.strip() for s in left.split("+")]
        for name in lhs_names:
            if not NAME_PATTERN.match(name):
                raise SEMSyntaxError(f"{name!r} on the left of {statement!r} is not a valid variable name.")
        for lhs in lhs_names:
            for term in right.split("+"):
                if not term.strip() and op != "=~":
                    raise SEMSyntaxError(f"Empty term in {statement!r}.")
                variable, label, fixed, force_free, mods = _parse_term(term.strip(), statement)
                if variable == "1":
                    if op != "~":
                        raise SEMSyntaxError(f"'1' in {statement!r}: an intercept is written 'y ~ 1'.")
                    op_used, variable = "~1", ""
                else:
                    op_used = op
                parameters.append(SpecifiedParameter(lhs, op_used, variable, label, fixed, True, force_free, mods))
    _check_labels(parameters, defined)
    _check_constraints(parameters, defined, constraints)
    return ParsedModel(parameters, defined, constraints)


def _check_constraints(parameters, defined, constraints) -> None:
    """Every name in a constraint must be a label or a defined parameter (lavaan refuses unknown ones)."""
    known = {p.label for p in parameters if p.label} | {d.name for d in defined}
    for p in parameters:
        for mod in p.group_mods or ():
            if mod[0]:
                known.add(mod[0])
    for left, op, right in constraints:
        for side in (left, right):
            for name in DefinedParameter.from_text("constraint", side).names:
                if name not in known:
                    raise SEMSyntaxError(
                        f"The constraint '{left} {op} {right}' uses {name!r}, which is not a label of the model."
                        + suggest(name, known) + " Label the parameter first, e.g. 'y ~ a1*x', then 'a1 == a2'.")


def _check_labels(parameters: list[SpecifiedParameter], defined: list[DefinedParameter]) -> None:
    labels = {p.label for p in parameters if p.label}
    labels |= {mod[0] for p in parameters for mod in (p.group_mods or ()) if mod[0]}
    known = set(labels)
    for d in defined:
        if d.name in labels:
            raise SEMSyntaxError(f"Defined parameter {d.name!r} has the same name as a parameter label.")
        for name in d.names:
            if name not in known:
                raise SEMSyntaxError(
                    f"Defined parameter {d.name!r} uses {name!r}, which is not a label written before it."
                    + suggest(name, known)
                    + " Label a parameter with a prefix, e.g. 'M ~ a1*X'."
                )
        known.add(d.name)
    seen: dict[tuple[str, str, str], int] = {}
    for p in parameters:
        key = p.key if p.op != "~~" else tuple(sorted((p.lhs, p.rhs))) + ("~~",)
        if key in seen:
            raise SEMSyntaxError(f"The parameter {p.lhs} {p.op} {p.rhs} is written twice; write it once.")
        seen[key] = 1
