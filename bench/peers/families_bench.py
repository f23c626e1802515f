"""The Python peers of `npm run bench -- --families` (bench/families.ts), as bench/peers/families_bench.R.

Usage: /usr/bin/python3 bench/peers/families_bench.py manifest.json

For each case of the manifest, reads X and the starting responsibilities (n x k) from little-endian
f64 files, evaluates the case's Python call (an expression written by bench/families.ts, with X,
start and the functions below in scope) `repeats` times and prints one JSON line per case:
    {"id": ..., "ms": [total ms of each run], "iters": ..., "loglik": ...}
after a first line {"info": {...versions}}.
"""

import json
import platform
import sys
import time

import numpy as np
import pomegranate
from pomegranate import (
    BernoulliDistribution,
    DiscreteDistribution,
    GeneralMixtureModel,
    IndependentComponentsDistribution,
    PoissonDistribution,
)


def uniform_categories(column):
    """Codes 0 ... max of the column, equally likely (keys in order: pomegranate indexes them by code)."""
    m = int(column.max()) + 1
    return DiscreteDistribution({v: 1 / m for v in range(m)})


# One placeholder distribution per feature: its parameters are replaced by the first M-step.
PLACEHOLDERS = {
    "categorical": uniform_categories,
    "poisson": lambda column: PoissonDistribution(1.0),
    "bernoulli": lambda column: BernoulliDistribution(0.5),
}


def independent_mixture(X, start, iters, family):
    """pomegranate's GeneralMixtureModel of IndependentComponentsDistribution (a latent class model for
    "categorical"): first its own M-step from the soft start (each component summarises X with the
    start's column as weights), then `iters` - 1 iterations of its fit with no early stop
    (stop_threshold -inf; pseudocount 0 and inertia 0, its defaults: maximum likelihood). That is
    `iters` M-steps, as emwasm's bound after `iters` from respInit; the log-likelihood is the one
    pomegranate computes after its last M-step."""
    k = start.shape[1]
    components = [
        IndependentComponentsDistribution([PLACEHOLDERS[family](X[:, j]) for j in range(X.shape[1])])
        for _ in range(k)
    ]
    model = GeneralMixtureModel(components)
    for c, component in enumerate(components):
        component.summarize(X, np.ascontiguousarray(start[:, c]))  # it reads the weights' buffer as is
        component.from_summaries()
    model.weights[:] = np.log(start.sum(axis=0) / start.sum())
    model, history = model.fit(X, max_iterations=iters - 1, stop_threshold=-np.inf, return_history=True)
    return history.log_probabilities[-1] if iters > 1 else float(np.sum(model.log_probability(X)))


def read_matrix(path, rows, cols):
    a = np.fromfile(path, dtype="<f8")
    if a.size != rows * cols:
        raise ValueError(f"{path}: expected {rows * cols} values, found {a.size}")
    return a.reshape(rows, cols)


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    info = {"python": platform.python_version(), "numpy": np.__version__, "pomegranate": pomegranate.__version__}
    print(json.dumps({"info": info}), flush=True)
    for case in manifest["cases"]:
        try:
            scope = {
                "X": read_matrix(case["x"], case["n"], case["d"]),
                "start": read_matrix(case["start"], case["n"], case["k"]),
                "independent_mixture": independent_mixture,
            }
            times, loglik = [], None
            for _ in range(case["repeats"]):
                t0 = time.perf_counter()
                loglik = eval(case["call"], scope)
                times.append((time.perf_counter() - t0) * 1e3)
            result = {"id": case["id"], "ms": times, "iters": case["iters"], "loglik": float(loglik)}
        except Exception as e:  # reported per case, as the R runner does
            result = {"id": case["id"], "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
