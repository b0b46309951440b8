"""Bayesian inverse planning: a posterior over an agent's objective direction, rationality and depth.

The likelihood is given by the caller (a world's planner as a model of the agent, e.g.
``worlds.foraging.situations.log_likelihood``): ``loglik(direction, rationality, depth)``, the log
probability of the recorded actions when the agent takes the action its planner of ``depth`` takes under
the unit weight vector ``direction`` with probability ``rationality``, and otherwise one of the
alternatives at random. A planner's choices do not change when its weights are scaled, so only the
direction is inferred (Baker, Saxe & Tenenbaum 2009). Why a trembling hand and not the Boltzmann model of
inverse planning: a planner is deterministic, and a Boltzmann model, which holds it only in the limit,
favoured directions with wide margins at moderate rationality; on planners its 90% intervals covered the
truth 33-64% of the time in development (docs/inference.md).

The prior is fixed in advance and never looks at an agent: the weights uniform over the genes' bounds
(the direction is that of a uniform draw in the box, its length a nuisance the likelihood ignores),
the rationality scalar uniform over its bounds (``log beta`` for the Boltzmann model) and depth uniform
over the candidates (as the competence gene, uniform, maps to depth). The sampler (``sample_posterior``)
is slice sampling on (weights, rationality) along random directions with a Metropolis depth move, pooled
over chains, each started at the best of a set of prior draws (optionally climbed by Nelder-Mead at each
depth, ``climb``); each chain's covariance is adapted during burn-in only, so kept draws come from a
fixed kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

#: Share of situations in which a drive's feature must vary between plans for the drive to count as
#: identifiable (fixed before any validation run).
EXERCISED_SHARE = 0.01
#: Chains a posterior pools (each started at its own best prior draw).
CHAINS = 4
#: Equal-tailed credible interval of each direction component.
INTERVAL = 0.9

LogLik = Callable[[np.ndarray, float, int], float]


@dataclass(frozen=True)
class Prior:
    """Uniform over the weight genes' bounds, the rationality uniform over [0, 1], uniform over ``depths``."""

    low: np.ndarray
    high: np.ndarray
    depths: tuple[int, ...]
    rationality: tuple[float, float] = (np.log(0.01), np.log(1e4))  # the scalar's bounds (log beta)

    def inside(self, w: np.ndarray, rationality: float) -> bool:
        return bool(np.all(w >= self.low) and np.all(w <= self.high)
                    and self.rationality[0] <= rationality <= self.rationality[1] and np.any(w != 0.0))


@dataclass(frozen=True)
class Posterior:
    """Draws of the direction (unit vectors, one row each), the rationality and depth."""

    directions: np.ndarray
    rationality: np.ndarray
    depth: np.ndarray
    acceptance: float  # share of iterations that moved to another depth (slice moves always move)

    @property
    def mean_direction(self) -> np.ndarray:
        """The normalised mean of the drawn directions."""
        m = self.directions.mean(axis=0)
        norm = np.linalg.norm(m)
        return m / norm if norm > 0 else m

    def interval(self, level: float = INTERVAL) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed ``level`` credible interval of each direction component."""
        tail = (1.0 - level) / 2.0
        return np.quantile(self.directions, tail, axis=0), np.quantile(self.directions, 1.0 - tail, axis=0)

    @property
    def depth_mode(self) -> int:
        values, counts = np.unique(self.depth, return_counts=True)
        return int(values[np.argmax(counts)])

    @property
    def depth_share(self) -> float:
        """Share of draws at the modal depth."""
        return float(np.mean(self.depth == self.depth_mode))


def unit(w: np.ndarray) -> np.ndarray:
    """``w`` scaled to length 1 (rows, for a 2-D array)."""
    w = np.asarray(w, dtype=np.float64)
    return w / np.linalg.norm(w, axis=-1, keepdims=True)


def cosine(a: np.ndarray, b: np.ndarray, keep: np.ndarray | None = None) -> float:
    """Cosine between ``a`` and ``b`` over the components ``keep`` (all when None); NaN when either is 0 there."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if keep is not None:
        a, b = a[keep], b[keep]
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else float("nan")


def identifiable(exercised: np.ndarray, share: float = EXERCISED_SHARE) -> np.ndarray:
    """Drives whose feature varies between plans in at least ``share`` of the situations (``exercised``:
    situations x drives booleans): a drive the world never exercises cannot be recovered from choices."""
    if exercised.shape[0] == 0:
        return np.zeros(exercised.shape[1], dtype=bool)
    return exercised.mean(axis=0) >= share


def _start(loglik: LogLik, prior: Prior, rng: np.random.Generator, starts: int,
           rationalities: np.ndarray) -> tuple[np.ndarray, float, int, float]:
    """The best of ``starts`` prior draws per depth, each at the ``rationalities``."""
    best = (None, 0.0, prior.depths[0], -np.inf)
    for depth in prior.depths:
        for w in rng.uniform(prior.low, prior.high, size=(starts, prior.low.shape[0])):
            u = unit(w)
            for r in rationalities:
                ll = loglik(u, float(r), depth)
                if ll > best[3]:
                    best = (w, float(r), depth, ll)
    return best


def _slice(logp: Callable[[np.ndarray], float], x: np.ndarray, lp: float, direction: np.ndarray,
           rng: np.random.Generator, width: float = 1.0, max_steps: int = 8) -> tuple[np.ndarray, float, int]:
    """One slice-sampling update of ``x`` along ``direction`` (stepping out, then shrinking; Neal 2003)."""
    level = lp + np.log(rng.random())
    left = -width * rng.random()
    right = left + width
    evals = 0
    for _ in range(max_steps):
        if logp(x + left * direction) <= level:
            evals += 1
            break
        evals += 1
        left -= width
    for _ in range(max_steps):
        if logp(x + right * direction) <= level:
            evals += 1
            break
        evals += 1
        right += width
    while True:
        t = rng.uniform(left, right)
        y = x + t * direction
        lp_y = logp(y)
        evals += 1
        if lp_y > level:
            return y, lp_y, evals
        if t < 0:
            left = t
        else:
            right = t
        if right - left < 1e-12:
            return x, lp, evals


def _chain(loglik: LogLik, prior: Prior, rng: np.random.Generator, iterations: int, start) -> tuple:
    """One chain from ``start`` = (weights, rationality, depth, loglik): its kept draws and depth moves."""
    k = prior.low.shape[0]
    w, r, depth, ll = start
    x = np.append(w, r)
    chol = np.diag(np.append(np.full(k, 0.1 * (prior.high - prior.low).mean()),
                             0.1 * (prior.rationality[1] - prior.rationality[0])))
    burn = iterations // 2
    history, kept_u, kept_r, kept_depth = [], [], [], []
    moves = 0
    current = {"depth": depth}

    def logp(y: np.ndarray) -> float:
        if not prior.inside(y[:k], y[k]):
            return -np.inf
        return loglik(unit(y[:k]), float(y[k]), current["depth"])

    for it in range(iterations):
        if len(prior.depths) > 1 and rng.random() < 0.2:
            d = int(rng.choice([d for d in prior.depths if d != depth]))
            ll_d = loglik(unit(x[:k]), float(x[k]), d)
            if np.log(rng.random()) < ll_d - ll:
                depth, ll = d, ll_d
                moves += 1
        else:
            current["depth"] = depth
            x, ll, _ = _slice(logp, x, ll, chol @ rng.standard_normal(k + 1), rng)
        if it < burn:
            history.append(x)
            if it >= 40 and it % 20 == 0:  # Haario: the chain's own covariance
                cov = np.cov(np.array(history[len(history) // 2:]).T) + np.eye(k + 1) * 1e-8
                chol = np.linalg.cholesky(cov)
        else:
            kept_u.append(unit(x[:k]))
            kept_r.append(x[k])
            kept_depth.append(depth)
    return kept_u, kept_r, kept_depth, moves


def _optimise(loglik: LogLik, prior: Prior, start, evals: int) -> tuple:
    """Climb from ``start`` = (weights, rationality, depth, loglik) by Nelder-Mead on (weights, rationality)
    at its depth: the posterior of a near-deterministic planner is a needle the sampler's random directions
    rarely find from a prior draw."""
    from scipy.optimize import minimize

    k = prior.low.shape[0]
    w, r, depth, ll = start

    def cost(y: np.ndarray) -> float:
        if not prior.inside(y[:k], y[k]):
            return 1e300
        return -loglik(unit(y[:k]), float(y[k]), depth)

    res = minimize(cost, np.append(w, r), method="Nelder-Mead",
                   options={"maxfev": evals, "xatol": 1e-4, "fatol": 1e-3, "initial_simplex": None})
    if res.fun < -ll:
        return res.x[:k], float(res.x[k]), depth, float(-res.fun)
    return start


def sample_posterior(loglik: LogLik, prior: Prior, rng: np.random.Generator, iterations: int = 600,
                     starts: int = 64, chains: int = CHAINS, climb: int = 0) -> Posterior:
    """Draw from the posterior: ``chains`` chains of ``iterations // chains`` updates each, pooled. An update is
    a slice-sampling move of (weights, rationality) along a random direction, or with probability 0.2 a
    Metropolis move to another depth; each chain's first half is burn-in, during which its directions'
    covariance is adapted to its own (Haario et al. 2001), the rest kept. Each chain starts at the best of
    ``starts`` prior draws per depth (its own draws). Slice sampling adapts its step to the width of the
    posterior along each direction, which for a near-deterministic planner is a thin region of directions;
    the chains start apart, so pooling them shows a posterior with several modes as one."""
    us, rs, ds, moves = [], [], [], 0
    mid = np.array([0.5 * (prior.rationality[0] + prior.rationality[1])])
    per_chain = max(10, iterations // chains)
    for _ in range(chains):
        if climb:  # the best prior draw of each depth, climbed; the best climb starts the chain
            climbed = [_optimise(loglik, Prior(prior.low, prior.high, (d,), prior.rationality),
                                 _start(loglik, Prior(prior.low, prior.high, (d,), prior.rationality), rng,
                                        max(1, starts // chains), mid), climb) for d in prior.depths]
            begin = max(climbed, key=lambda c: c[3])
        else:
            begin = _start(loglik, prior, rng, max(1, starts // chains), mid)
        u, r, d, m = _chain(loglik, prior, rng, per_chain, begin)
        us += u
        rs += r
        ds += d
        moves += m
    return Posterior(np.array(us), np.array(rs), np.array(ds, dtype=np.int64), moves / max(1, iterations))
