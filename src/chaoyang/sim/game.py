r"""Evolutionary game of mobilization: government x residents (x community police).

Populations and strategies
--------------------------
* Government: share ``x`` mobilizes by emotional commitment (E), ``1 - x`` by economic subsidy (S).
* Residents: share ``y`` participate (P), ``1 - y`` do not (N).
* Police (optional): share ``z`` practise engaged community policing (G), ``1 - z`` routine policing.

Payoffs (parameters of :class:`MobilizationGame`; one unit = one unit of value per period)
------------------------------------------------------------------------------------------
==========  ==========================================  ===========================
profile     government                                  residents
==========  ==========================================  ===========================
(E, P)      R_E - C_E                                   e + r - c (+ m z)
(E, N)      - C_E                                       0
(S, P)      R_S - s - C_S                               s + r - c - k (+ m z)
(S, N)      - C_S                                       0
==========  ==========================================  ===========================

``R_E``, ``R_S``: the government's value of participation under each regime (the ABM finds more
guardianship effort per participant under emotional mobilization, so R_E >= R_S); ``C_E``: cost of
emotional mobilization (rituals, brand, police engagement); ``C_S``: fixed cost of running a
subsidy scheme; ``s``: subsidy per participant; ``e``: emotional-energy gain of participating when
mobilized emotionally; ``r``: a participant's own safety benefit; ``c``: participation cost (time);
``k``: crowding out of intrinsic motivation by pay (Frey & Jegen 2001); ``m``: extra payoff of
participating when police are engaged (closeness). Police: engaged policing costs ``c_p``, relieves
workload ``w`` per unit of participation, and is rewarded ``g`` by an emotionally mobilizing
government.

Replicator dynamics (Taylor & Jonker 1978) for two-strategy populations:
``x' = x (1 - x) Dg``, ``y' = y (1 - y) Dr``, ``z' = z (1 - z) Dp`` with the payoff differences

    Dg(y)       = (C_S - C_E) + y (R_E - R_S + s)
    Dr(x, z)    = (s + r - c - k) + x (e - s + k) + m z
    Dp(x, y)    = -c_p + w y + g x

Each difference is affine in the other populations' shares and does not depend on the
population's own share.

Stability of the 2x2 game, derived by hand (no police)
-----------------------------------------------------
Write A = R_E - R_S + s and K = C_E - C_S. The Jacobian of (x', y') is

    J = [[(1 - 2x) Dg(y),      x (1 - x) A        ],
         [y (1 - y) (e - s + k), (1 - 2y) Dr(x)   ]].

At a corner the off-diagonal terms vanish, so the eigenvalues are the diagonal entries and the
corner is asymptotically stable (an evolutionarily stable strategy) iff both are negative:

* (0, 0) = (S, N): eigenvalues -K and s + r - c - k; stable iff C_E > C_S and s + r < c + k.
* (1, 0) = (E, N): eigenvalues K and e + r - c; stable iff C_E < C_S and e + r < c.
* (0, 1) = (S, P): eigenvalues A - K and c + k - s - r; stable iff K > A and s + r > c + k.
* (1, 1) = (E, P): eigenvalues K - A and c - e - r; stable iff A > K and e + r > c.

The interior point x* = (c + k - s - r) / (e - s + k), y* = K / A (when both lie in (0, 1)) has
J* = [[0, x*(1-x*) A], [y*(1-y*)(e - s + k), 0]], trace 0, eigenvalues
+-sqrt(x*(1-x*) y*(1-y*) A (e - s + k)): a saddle when A (e - s + k) > 0, a centre (closed orbits,
never asymptotically stable) when it is < 0 — as for every interior equilibrium of an asymmetric
two-population game (Selten 1980).

Examples
--------
>>> game = MobilizationGame()
>>> stable = game.equilibria().query("stability == 'stable'")
>>> stable[["x", "y"]].values.tolist()
[[1.0, 1.0]]
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chaoyang.i18n import N_
from chaoyang.sim.parameters import ParameterError

POPULATIONS = (N_("government"), N_("residents"), N_("police"))  # N_: legends translate them
STRATEGY_LABELS = {"government": ("subsidy", "emotional"), "residents": ("not participate", "participate"),
                   "police": ("routine", "engaged")}


#: Largest payoff parameter accepted.
MAX_PAYOFF = 1e6
#: Longest integration time of :meth:`MobilizationGame.simulate`.
MAX_TIME = 1e4
#: Most output points of :meth:`MobilizationGame.simulate`.
MAX_POINTS = 100_000


@dataclass(frozen=True)
class MobilizationGame:
    """Payoff parameters of the mobilization game (see the module docstring for the payoff table).

    Attributes
    ----------
    value_emotional : float
        R_E, government's value of full participation under emotional mobilization, >= 0.
    value_subsidy : float
        R_S, the same under subsidy, >= 0.
    mobilization_cost : float
        C_E, >= 0.
    subsidy_scheme_cost : float
        C_S, >= 0.
    subsidy : float
        s, pay per participant, >= 0.
    participation_cost : float
        c, >= 0.
    safety_benefit : float
        r, a participant's own safety benefit, >= 0.
    ee_gain : float
        e, emotional-energy gain of participating under emotional mobilization, >= 0.
    crowding : float
        k, crowding-out loss when paid, >= 0.
    with_police : bool
        Add the police population.
    closeness_gain, police_effort_cost, police_workload_relief, police_reward : float
        m, c_p, w, g (>= 0); used only with police.

    Raises
    ------
    ParameterError
        If a payoff parameter is not a number in [0, MAX_PAYOFF] (1e6: larger payoffs only rescale
        time, and overflow the integrator).
    """

    value_emotional: float = 10.0
    value_subsidy: float = 8.0
    mobilization_cost: float = 4.0
    subsidy_scheme_cost: float = 1.0
    subsidy: float = 3.0
    participation_cost: float = 2.0
    safety_benefit: float = 1.0
    ee_gain: float = 2.0
    crowding: float = 0.5
    with_police: bool = False
    closeness_gain: float = 1.0
    police_effort_cost: float = 1.0
    police_workload_relief: float = 2.0
    police_reward: float = 1.5

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "with_police":
                if not isinstance(value, bool):
                    raise ParameterError(f"with_police must be True or False, got {value!r}")
                continue
            if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating))
                    or not np.isfinite(value) or not 0 <= value <= MAX_PAYOFF):
                raise ParameterError(f"game parameter {f.name!r} = {value!r} is out of range; valid range: "
                                     f"[0, {MAX_PAYOFF:g}]")

    def replace(self, **changes) -> "MobilizationGame":
        """A copy with some parameters changed (unknown names raise ParameterError)."""
        names = {f.name for f in dataclasses.fields(self)}
        for name in changes:
            if name not in names:
                raise ParameterError(f"unknown game parameter {name!r}; valid names: {', '.join(sorted(names))}")
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ dynamics
    @property
    def n_populations(self) -> int:
        return 3 if self.with_police else 2

    @property
    def populations(self) -> tuple[str, ...]:
        return POPULATIONS[: self.n_populations]

    def affine_form(self) -> tuple[np.ndarray, np.ndarray]:
        """Payoff differences as ``D(state) = d0 + M @ state`` (state = x, y[, z]).

        Returns
        -------
        d0 : ndarray, shape (n,)
        M : ndarray, shape (n, n), zero diagonal
        """
        n = self.n_populations
        d0 = np.zeros(n)
        M = np.zeros((n, n))
        d0[0] = self.subsidy_scheme_cost - self.mobilization_cost
        M[0, 1] = self.value_emotional - self.value_subsidy + self.subsidy
        d0[1] = self.subsidy + self.safety_benefit - self.participation_cost - self.crowding
        M[1, 0] = self.ee_gain - self.subsidy + self.crowding
        if self.with_police:
            M[1, 2] = self.closeness_gain
            d0[2] = -self.police_effort_cost
            M[2, 1] = self.police_workload_relief
            M[2, 0] = self.police_reward
        return d0, M

    def payoff_differences(self, state) -> np.ndarray:
        """Payoff advantage of the second strategy of each population (E, P, engaged) at ``state``."""
        d0, M = self.affine_form()
        return d0 + M @ self._state(state)

    def _state(self, state) -> np.ndarray:
        try:
            s = np.asarray(state, dtype=float)
        except (TypeError, ValueError):
            s = np.full(self.n_populations, np.nan)
        if s.shape != (self.n_populations,) or not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(s > 1):
            raise ParameterError(f"state must hold {self.n_populations} shares in [0, 1] "
                                 f"({', '.join(self.populations)}), got {state!r}")
        return s

    def velocity(self, state) -> np.ndarray:
        """Replicator dynamics: d(share)/dt of each population."""
        s = self._state(state)
        return s * (1 - s) * self.payoff_differences(s)

    def jacobian(self, state) -> np.ndarray:
        """Analytic Jacobian of :meth:`velocity` at ``state``."""
        s = self._state(state)
        d0, M = self.affine_form()
        D = d0 + M @ s
        J = (s * (1 - s))[:, None] * M
        J[np.diag_indices_from(J)] = (1 - 2 * s) * D + s * (1 - s) * np.diag(M)
        return J

    def equilibria(self, tol: float = 1e-12) -> pd.DataFrame:
        """Every rest point with its eigenvalues and stability.

        Rest points: the corners, and every face point where the populations not at 0 or 1 have
        zero payoff difference (a linear system, because the differences are affine).

        Returns
        -------
        pandas.DataFrame
            Columns x, y (, z), ``kind`` (corner/edge/interior), ``eigenvalues`` (tuple),
            ``stability``: "stable" (all real parts < 0: an ESS for a corner), "unstable"
            (all > 0), "saddle", "centre" (purely imaginary pair) or "non-hyperbolic".
        """
        n = self.n_populations
        d0, M = self.affine_form()
        points = []
        for free in itertools.chain.from_iterable(itertools.combinations(range(n), k) for k in range(n + 1)):
            fixed = [i for i in range(n) if i not in free]
            for values in itertools.product((0.0, 1.0), repeat=len(fixed)):
                state = np.zeros(n)
                state[fixed] = values
                if free:
                    free_idx = list(free)
                    A = M[np.ix_(free_idx, free_idx)]
                    b = -(d0[free_idx] + M[np.ix_(free_idx, fixed)] @ np.asarray(values))
                    if abs(np.linalg.det(A)) < tol:
                        continue
                    solution = np.linalg.solve(A, b)
                    if np.any(solution <= tol) or np.any(solution >= 1 - tol):
                        continue
                    state[free_idx] = solution
                points.append(state)
        rows = []
        for state in points:
            eig = np.linalg.eigvals(self.jacobian(state))
            rows.append({**dict(zip("xyz", state)),
                         "kind": "corner" if np.all((state == 0) | (state == 1)) else
                                 ("interior" if np.all((state > 0) & (state < 1)) else "edge"),
                         "eigenvalues": tuple(np.round(eig, 12)), "stability": _classify(eig)})
        return pd.DataFrame(rows)

    def stable_corners(self) -> list[tuple[float, ...]]:
        """The asymptotically stable corners (pure-strategy ESS)."""
        table = self.equilibria()
        table = table[(table["kind"] == "corner") & (table["stability"] == "stable")]
        return [tuple(row) for row in table[list("xyz"[: self.n_populations])].to_numpy()]

    def simulate(self, start, *, t_max: float = 50.0, n_points: int = 201) -> pd.DataFrame:
        """Integrate the replicator dynamics from ``start`` (scipy ``solve_ivp``, RK45).

        Parameters
        ----------
        start : sequence of float
            One share in [0, 1] per population.
        t_max : float, default 50
            Integration time, in (0, :data:`MAX_TIME`].
        n_points : int, default 201
            Output times, 2 to :data:`MAX_POINTS`.

        Returns
        -------
        pandas.DataFrame
            Columns ``t`` and one share per population.
        """
        from scipy.integrate import solve_ivp

        if (isinstance(t_max, (bool, np.bool_)) or not isinstance(t_max, (int, float, np.integer, np.floating))
                or not np.isfinite(t_max) or not 0 < t_max <= MAX_TIME):
            raise ParameterError(f"t_max={t_max!r} must be a time in (0, {MAX_TIME:g}]")
        if (isinstance(n_points, (bool, np.bool_)) or not isinstance(n_points, (int, np.integer))
                or not 2 <= n_points <= MAX_POINTS):
            raise ParameterError(f"n_points={n_points!r} must be a whole number in [2, {MAX_POINTS:,}]")
        start = self._state(start)
        t = np.linspace(0.0, t_max, n_points)
        solution = solve_ivp(lambda _t, s: np.clip(s, 0, 1) * (1 - np.clip(s, 0, 1)) * self.payoff_differences(
            np.clip(s, 0, 1)), (0.0, t_max), start, t_eval=t, rtol=1e-8, atol=1e-10)
        # the exact flow never leaves [0, 1]; clip the integrator's round-off (about 1e-12)
        return pd.DataFrame({"t": solution.t, **dict(zip(self.populations, np.clip(solution.y, 0.0, 1.0)))})


def _classify(eigenvalues: np.ndarray, tol: float = 1e-10) -> str:
    real = eigenvalues.real
    if np.all(real < -tol):
        return "stable"
    if np.all(real > tol):
        return "unstable"
    if np.any(real < -tol) and np.any(real > tol):
        return "saddle"
    if np.all(np.abs(real) <= tol) and np.any(np.abs(eigenvalues.imag) > tol):
        return "centre"
    return "non-hyperbolic"


def corner_conditions(game: MobilizationGame) -> dict[tuple[int, int], bool]:
    """The hand-derived stability conditions of the four corners of the 2x2 game (module docstring).

    Returns
    -------
    dict
        (x, y) corner -> True if the analytical conditions say it is asymptotically stable.
    """
    A = game.value_emotional - game.value_subsidy + game.subsidy
    K = game.mobilization_cost - game.subsidy_scheme_cost
    s, r, c, k, e = game.subsidy, game.safety_benefit, game.participation_cost, game.crowding, game.ee_gain
    return {(0, 0): K > 0 and s + r < c + k, (1, 0): K < 0 and e + r < c,
            (0, 1): K > A and s + r > c + k, (1, 1): A > K and e + r > c}


def sweep_game(game: MobilizationGame, parameter: str, values, *, start=None, t_max: float = 200.0) -> pd.DataFrame:
    """How the equilibria and the long-run outcome change with one payoff parameter.

    Parameters
    ----------
    game : MobilizationGame
    parameter : str
        A payoff parameter name, e.g. ``"subsidy"``, ``"participation_cost"``, ``"ee_gain"``.
    values : sequence of float
    start : sequence of float, optional
        Starting shares for the long-run outcome; default 0.5 for every population.
    t_max : float
        Integration time.

    Returns
    -------
    pandas.DataFrame
        One row per value: the stable corners (as text), and the shares reached from ``start``.

    Examples
    --------
    >>> table = sweep_game(MobilizationGame(), "ee_gain", [0.0, 2.0])
    >>> table["stable_corners"].tolist()  # without emotional energy residents cycle around a centre
    ['none', '(1, 1)']
    """
    rows = []
    for value in values:
        variant = game.replace(**{parameter: float(value)})
        start_state = [0.5] * variant.n_populations if start is None else start
        end = variant.simulate(start_state, t_max=t_max, n_points=2).iloc[-1]
        corners = variant.stable_corners()
        rows.append({parameter: float(value),
                     "stable_corners": "; ".join("(" + ", ".join(str(int(v)) for v in c) + ")" for c in corners)
                     or "none",
                     **{f"{p}_long_run": float(end[p]) for p in variant.populations}})
    return pd.DataFrame(rows)


def explain(game: MobilizationGame, comparison: pd.DataFrame | None = None) -> str:
    """A short paragraph tying the game's equilibria to the agent-based model's outcomes.

    Parameters
    ----------
    game : MobilizationGame
    comparison : ComparisonResult, optional
        The result of :func:`chaoyang.sim.compare_regimes` (emotional vs subsidy) or its table;
        its numbers are quoted if given.

    Returns
    -------
    str

    Examples
    --------
    >>> explain(MobilizationGame()).startswith("With these payoffs the replicator dynamics have one stable")
    True
    """
    A = game.value_emotional - game.value_subsidy + game.subsidy
    K = game.mobilization_cost - game.subsidy_scheme_cost
    corners = game.stable_corners()
    names = {c: f"({STRATEGY_LABELS['government'][int(c[0])]}, {STRATEGY_LABELS['residents'][int(c[1])]}"
             + (f", {STRATEGY_LABELS['police'][int(c[2])]} policing" if game.with_police else "") + ")" for c in corners}
    if not corners:
        text = ("With these payoffs no pure-strategy profile is stable: the shares cycle or settle on a mixed point, "
                "so neither mobilization regime wins for good.")
    else:
        count = {1: "one stable equilibrium", 2: "two stable equilibria"}.get(len(corners), f"{len(corners)} stable equilibria")
        text = f"With these payoffs the replicator dynamics have {count}: {'; '.join(names.values())}."
    text += (f" The government prefers emotional mobilization once residents participate when the extra value of "
             f"intrinsically motivated participation plus the subsidy it saves (R_E - R_S + s = {A:g}) exceeds the "
             f"extra fixed cost of mobilizing (C_E - C_S = {K:g}); residents participate under emotional mobilization "
             f"when emotional energy plus their own safety benefit (e + r = {game.ee_gain + game.safety_benefit:g}) "
             f"exceeds their time cost (c = {game.participation_cost:g}).")
    if comparison is not None:
        table = getattr(comparison, "table", comparison)
        if not isinstance(table, pd.DataFrame) or "metric" not in table:
            raise ParameterError("comparison must come from compare_regimes(('emotional', 'subsidy'), ...)")
        rows = table.set_index("metric")
        try:
            p_e, p_s = rows.loc["participation_mean", ["emotional_mean", "subsidy_mean"]]
            c_e, c_s = rows.loc["cost_per_prevented_incident", ["emotional_mean", "subsidy_mean"]]
        except KeyError as error:
            raise ParameterError("comparison must come from compare_regimes(('emotional', 'subsidy'), ...)") from error
        text += (f" The agent-based model points the same way: with emotional mobilization {p_e:.0%} of residents "
                 f"took part on average against {p_s:.0%} under the subsidy, and each prevented incident cost the "
                 f"government {c_e:,.0f} yuan against {c_s:,.0f}. The game only says which profile is stable; the "
                 f"agent-based model shows how fast participation builds up and what it costs along the way.")
    return text
