"""Bayesian inverse planning: a posterior over an agent's objective direction, rationality and depth.

The agent is modelled as Boltzmann-rational about its planner's values (Baker, Saxe & Tenenbaum 2009):
``P(a) ~ exp(beta * Q_{u,d}(a))`` over the situation's alternatives, ``u`` the unit direction of the
weights (a planner's choices do not change when its weights are scaled, so only the direction is
inferred), ``beta`` the rationality and ``d`` the plan depth. The likelihood is given by the caller (a
world's planner, e.g. ``worlds.foraging.situations.BoltzmannLikelihood``) as per-observation log
probabilities for many parameter values at once (``Likelihood``).

The prior is fixed in advance and never looks at an agent: the weights uniform over the genes' bounds
(the direction is that of a uniform draw in the box, its length a nuisance the likelihood ignores),
``log beta`` uniform over its bounds and depth uniform over the candidates (as the competence gene,
uniform, maps to depth).

The sampler (``sample_posterior``) is sequential Monte Carlo (Del Moral, Doucet & Jasra 2006; Chopin
2002): particles drawn from the prior are carried to the posterior through a sequence of targets that
take in the observations a fraction at a time (the next fraction chosen so that the particles' effective
sample size stays at half their number), resampled and moved by random-walk Metropolis steps scaled from
the particles' own covariance; one such run per candidate depth, the depths weighted by the evidence each
run estimates. A near-deterministic planner's
posterior is a needle in the prior: tempering walks the particles to it instead of searching for it, and
the particles' spread, not a chain's tuning, sets the interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

#: Share of situations in which a drive's feature must vary between plans for the drive to count as
#: identifiable (fixed before any validation run).
EXERCISED_SHARE = 0.01
#: Particles the sampler carries at each candidate depth (and the posterior's draws).
PARTICLES = 128
#: Effective sample size, as a share of the particles, that each next target keeps.
ESS_SHARE = 0.5
#: Equal-tailed credible interval of each direction component.
INTERVAL = 0.9


class Likelihood(Protocol):
    """Observations whose log probabilities, given an objective, add up to the log likelihood."""

    @property
    def n(self) -> int:
        """Observations (situations)."""

    def terms(self, directions: np.ndarray, rationality: np.ndarray, depth: int, rows: np.ndarray) -> np.ndarray:
        """``log P(observation)`` per row of ``directions`` (unit vectors; ``rationality`` one value per row,
        the prior's scalar, ``log beta``) and per observation of ``rows``: ``(len(directions), len(rows))``."""


@dataclass(frozen=True)
class Prior:
    """Uniform over the weight genes' bounds, the rationality scalar (``log beta``) uniform over its bounds,
    depth uniform over ``depths``."""

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
    acceptance: float  # share of the random-walk moves accepted
    stages: int = 0  # the sampler's resample-move stages
    evaluated: int = 0  # observation terms the sampler computed (its cost)
    depth_probability: dict | None = None  # each candidate depth's posterior probability (from its evidence)

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


class _Particles:
    """The sampler's state: weights ``w`` (particles x drives) in the prior's box, rationality ``r``, depth
    ``d``, and ``s``, each particle's log likelihood of the observations taken in so far."""

    def __init__(self, lik: Likelihood, prior: Prior, order: np.ndarray, w, r, d):
        self.lik, self.prior, self.order = lik, prior, order
        self.w, self.r, self.d = w, r, d
        self.s = np.zeros(w.shape[0])
        self.evaluated = 0  # observation terms computed (the cost)

    def terms(self, w, r, d, lo: int, hi: int) -> np.ndarray:
        """Terms of observations ``lo..hi`` (in the sampler's order) for the particles given, by depth."""
        out = np.empty((w.shape[0], hi - lo))
        rows = self.order[lo:hi]
        for depth in np.unique(d):
            at = d == depth
            out[at] = self.lik.terms(unit(w[at]), r[at], int(depth), rows)
        self.evaluated += w.shape[0] * (hi - lo)
        return out

    def loglik(self, w, r, d, t: float) -> np.ndarray:
        """The tempered log likelihood at ``t``: the first ``floor(t)`` observations whole, the next one's
        term times the fraction ``t - floor(t)``."""
        whole = int(np.floor(t))
        frac = t - whole
        hi = min(self.lik.n, whole + (1 if frac > 0 else 0))
        if hi == 0:
            return np.zeros(w.shape[0])
        terms = self.terms(w, r, d, 0, hi)
        if frac > 0:
            terms[:, -1] *= frac
        return terms.sum(axis=1)

    def inside(self, w, r) -> np.ndarray:
        p = self.prior
        return (np.all((w >= p.low) & (w <= p.high), axis=1) & (r >= p.rationality[0]) & (r <= p.rationality[1])
                & np.any(w != 0.0, axis=1))


def _ess(logw: np.ndarray) -> float:
    w = np.exp(logw - logw.max())
    return float(w.sum() ** 2 / (w @ w))


def _advance(logw: np.ndarray, terms: np.ndarray, t: float, m0: int, target: float) -> tuple[float, np.ndarray]:
    """The furthest ``t'`` in ``[t, m0 + terms.shape[1]]`` at which the weights ``logw`` plus the new terms'
    increment keep an effective sample size of at least ``target`` (bisection), and that increment."""
    cum = np.concatenate([np.zeros((terms.shape[0], 1)), np.cumsum(terms, axis=1)], axis=1)

    def at(u: float) -> np.ndarray:
        j = min(int(np.floor(u)) - m0, terms.shape[1])
        part = cum[:, j] + ((u - m0 - j) * terms[:, j] if j < terms.shape[1] else 0.0)
        return part

    base = at(t)
    hi = float(m0 + terms.shape[1])
    if _ess(logw + at(hi) - base) >= target:
        return hi, at(hi) - base
    lo = t
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _ess(logw + at(mid) - base) >= target:
            lo = mid
        else:
            hi = mid
    lo = max(lo, t + 1e-9 * (hi - t + 1.0))
    return lo, at(lo) - base


def _resample(logw: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: indices of the particles kept."""
    w = np.exp(logw - logw.max())
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    return np.searchsorted(c, (rng.random() + np.arange(w.shape[0])) / w.shape[0])


def _move(ps: _Particles, t: float, rng: np.random.Generator, scale: float, min_moves: int,
          max_moves: int) -> tuple[float, float]:
    """Random-walk Metropolis moves of (weights, rationality) at the particles' depth, proposals scaled from
    the particles' covariance (Chopin 2002), until nine in ten particles moved
    (at least ``min_moves``, at most ``max_moves``). Returns the adapted scale and the acceptance."""
    n, k = ps.w.shape
    x = np.column_stack([ps.w, ps.r])
    chol = np.linalg.cholesky(np.cov(x.T) + 1e-12 * np.eye(k + 1))
    moved = np.zeros(n, dtype=bool)
    accepted = tried = 0
    for it in range(max_moves):
        y = x + scale * rng.standard_normal((n, k + 1)) @ chol.T
        ok = ps.inside(y[:, :k], y[:, k])
        s_new = np.full(n, -np.inf)
        if ok.any():
            s_new[ok] = ps.loglik(y[ok, :k], y[ok, k], ps.d[ok], t)
        take = np.log(rng.random(n)) < s_new - ps.s
        x[take], ps.s[take] = y[take], s_new[take]
        moved |= take
        rate = take.mean()
        accepted, tried = accepted + take.sum(), tried + n
        scale *= 0.6 if rate < 0.1 else 0.85 if rate < 0.2 else 1.25 if rate > 0.4 else 1.0
        if it + 1 >= min_moves and moved.mean() >= 0.9:
            break
    ps.w, ps.r = x[:, :k].copy(), x[:, k].copy()
    return float(np.clip(scale, 0.02, 3.0)), accepted / max(1, tried)


def _smc(lik: Likelihood, prior: Prior, depth: int, rng: np.random.Generator, particles: int, min_moves: int,
         max_moves: int, final_moves: int) -> tuple[_Particles, float, float, int]:
    """Sequential Monte Carlo at one depth: the particles, the log evidence (the log marginal likelihood, by
    the product of the mean incremental weights), the moves' acceptance and the stages."""
    k = prior.low.shape[0]
    n = particles
    order = rng.permutation(lik.n).astype(np.int64)
    ps = _Particles(lik, prior, order, rng.uniform(prior.low, prior.high, size=(n, k)),
                    rng.uniform(*prior.rationality, size=n), np.full(n, depth, dtype=np.int64))
    logw = np.zeros(n)
    t, scale, stages, acc, log_z = 0.0, 2.38 / np.sqrt(k + 1), 0, [], 0.0
    while t < lik.n:
        m0 = int(np.floor(t))
        m1 = min(lik.n, max(m0 + 8, 2 * m0))
        t_new, inc = _advance(logw, ps.terms(ps.w, ps.r, ps.d, m0, m1), t, m0, ESS_SHARE * n)
        top = logw.max()
        norm = np.exp(logw - top)
        log_z += float(np.log(np.sum(norm * np.exp(inc - inc.max())) / norm.sum()) + inc.max())
        logw += inc
        ps.s += inc
        limited = t_new < m1
        t = t_new if t_new < lik.n - 1e-9 else float(lik.n)
        if limited or t >= lik.n:
            keep = _resample(logw, rng)
            ps.w, ps.r, ps.d, ps.s = ps.w[keep], ps.r[keep], ps.d[keep], ps.s[keep]
            logw = np.zeros(n)
            last = t >= lik.n
            scale, a = _move(ps, t, rng, scale, final_moves if last else min_moves,
                             max(max_moves, final_moves) if last else max_moves)
            acc.append(a)
            stages += 1
    return ps, log_z, float(np.mean(acc)) if acc else 0.0, stages


def sample_posterior(lik: Likelihood, prior: Prior, rng: np.random.Generator, particles: int = PARTICLES,
                     min_moves: int = 2, max_moves: int = 10, final_moves: int = 10) -> Posterior:
    """``particles`` draws from the posterior, by sequential Monte Carlo over the observations at each depth.

    At each candidate depth, ``particles`` particles start as prior draws; the target ``t`` takes in the
    first ``floor(t)`` observations (in a random order) and a fraction of the next, and grows as far as the
    importance weights keep an effective sample size of ``ESS_SHARE`` of the particles. Then the particles
    are resampled (systematic) and moved (``_move``) at that target, until all observations are in; a last
    round of at least ``final_moves`` moves spreads the final draws. The depths' posterior probabilities are
    their evidences (the prior over depths is uniform), and the draws are resampled from the depths'
    particles in those proportions. Separate runs per depth keep a depth that the first observations
    disfavour from dying out before the rest are in."""
    runs = [_smc(lik, prior, d, rng, particles, min_moves, max_moves, final_moves) for d in prior.depths]
    log_z = np.array([r[1] for r in runs])
    share = np.exp(log_z - log_z.max())
    share /= share.sum()
    logw = np.concatenate([np.full(particles, np.log(max(s, 1e-300))) for s in share])
    keep = _resample(logw, rng)[:particles]
    w = np.concatenate([r[0].w for r in runs])[keep]
    r_ = np.concatenate([r[0].r for r in runs])[keep]
    d = np.concatenate([r[0].d for r in runs])[keep]
    return Posterior(unit(w), r_, d, float(np.mean([r[2] for r in runs])), sum(r[3] for r in runs),
                     sum(r[0].evaluated for r in runs), dict(zip(prior.depths, share.tolist())))
