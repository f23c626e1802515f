#!/usr/bin/python3
"""Peer for bench/imaging-rl.ts: scikit-image's richardson_lucy on the bench's image and PSFs.

Usage: skimage_rl_bench.py MANIFEST.json
The manifest lists cases {id, image, psf (paths of raw little-endian float64 files), shape, psfShape,
iterations, repeats, out}. For each case this prints one JSON line {id, ms: [...]} and writes the
result (clip=False) to `out` for the bench's parity check.
"""

import json
import platform
import sys
import time

import numpy as np
import scipy
import skimage
from skimage.restoration import richardson_lucy


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    print(
        json.dumps(
            {
                "info": {
                    "skimage": skimage.__version__,
                    "scipy": scipy.__version__,
                    "numpy": np.__version__,
                    "python": platform.python_version(),
                }
            }
        ),
        flush=True,
    )
    for case in manifest["cases"]:
        image = np.fromfile(case["image"], dtype="<f8").reshape(case["shape"])
        psf = np.fromfile(case["psf"], dtype="<f8").reshape(case["psfShape"])
        times = []
        result = None
        for _ in range(case["repeats"]):
            t = time.perf_counter()
            result = richardson_lucy(image, psf, num_iter=case["iterations"], clip=False)
            times.append((time.perf_counter() - t) * 1000)
        result.astype("<f8").tofile(case["out"])
        print(json.dumps({"id": case["id"], "ms": times}), flush=True)


if __name__ == "__main__":
    main()
