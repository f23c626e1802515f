"""scikit-learn peer for `npm run bench`: times GaussianMixture.fit from the harness's start.

Usage: python3 sklearn_bench.py MANIFEST.tsv

Each manifest row (tab-separated, with a header line) names a case: id, cov, n, d, k, iters,
repeats, data (raw float64 little-endian, row-major n x d) and start (float64 little-endian:
weights (k), means (k*d), precisions (full k*d*d, tied d*d, diag k*d, spherical k)).

Prints JSON lines: first {"info": ...} (versions, BLAS from threadpoolctl), then one object per
case. A fit runs `iters` iterations exactly (tol=0); ms_per_iter is the whole fit divided by the
iterations, with nothing subtracted. init_ms times what a fit does besides its iterations
(scikit-learn's _initialize_parameters and its final E-step; max_iter=0 cannot be used, since
scikit-learn 1.2 then fails when precisions_init is given), so (fit_ms - init_ms) / iters is about
the cost of the loop alone.
"""

import csv
import json
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state


def blas_info():
    try:
        import threadpoolctl
    except ImportError:
        return None
    return [
        {key: pool.get(key) for key in ("internal_api", "version", "architecture", "num_threads", "filepath")}
        for pool in threadpoolctl.threadpool_info()
    ]


def precisions_shape(cov, k, d):
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[cov]


def load_case(row):
    n, d, k = int(row["n"]), int(row["d"]), int(row["k"])
    X = np.fromfile(row["data"], dtype="<f8")
    if X.size != n * d:
        raise ValueError(f"{row['data']}: expected {n * d} values, found {X.size}")
    X = X.reshape(n, d)
    start = np.fromfile(row["start"], dtype="<f8")
    shape = precisions_shape(row["cov"], k, d)
    weights, means, precisions = start[:k], start[k : k + k * d].reshape(k, d), start[k + k * d :]
    precisions = precisions.reshape(shape)
    return X, weights, means, precisions


def make_model(X, cov, k, iters, weights, means, precisions):
    return GaussianMixture(
        n_components=k,
        covariance_type=cov,
        tol=0.0,
        max_iter=iters,
        reg_covar=1e-6,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions,
        # All three parameters are given, so the initial responsibilities only feed an M-step whose
        # result is overwritten: 'random_from_data' keeps that cheap (the default runs k-means).
        init_params="random_from_data",
        random_state=0,
    )


def fit_once(*case):
    gm = make_model(*case)
    t = time.perf_counter()
    gm.fit(case[0])
    return (time.perf_counter() - t) * 1e3, gm


def init_once(*case):
    """The work of a fit outside its iterations, through scikit-learn 1.2's private steps."""
    X = case[0]
    gm = make_model(*case)
    gm._check_parameters(X)
    t = time.perf_counter()
    gm._initialize_parameters(X, check_random_state(0))
    gm._e_step(X)
    return (time.perf_counter() - t) * 1e3


def run_case(row):
    cov, k, iters, repeats = row["cov"], int(row["k"]), int(row["iters"]), int(row["repeats"])
    X, weights, means, precisions = load_case(row)
    case = (X, cov, k, iters, weights, means, precisions)
    times, gm = [], None
    for _ in range(repeats):
        ms, gm = fit_once(*case)
        times.append(ms)
    try:
        init_ms = init_once(*case)
    except Exception:  # private API: optional
        init_ms = None
    return {
        "id": row["id"],
        "cov": cov,
        "iters": int(gm.n_iter_),
        "fit_ms": times,
        "ms_per_iter": [t / gm.n_iter_ for t in times],
        "init_ms": init_ms,
        "loop_ms_per_iter": None if init_ms is None else (min(times) - init_ms) / gm.n_iter_,
        "lower_bound": float(gm.lower_bound_),
    }


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0 never converges, by design
    info = {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "blas": blas_info(),
    }
    print(json.dumps({"info": info}), flush=True)
    with open(sys.argv[1], newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            try:
                result = run_case(row)
            except Exception as err:  # report and go on with the next case
                result = {"id": row["id"], "cov": row["cov"], "error": f"{type(err).__name__}: {err}"}
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
