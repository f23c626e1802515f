# The R peers of `npm run bench -- --families` (bench/families.ts): for each case of a manifest,
# reads X (and y) and the starting responsibilities from little-endian f64 files, evaluates the
# case's R call (flexmix or mixtools, written by bench/families.ts with the same start and a fixed
# number of iterations) `repeats` times and prints one JSON line per case:
#   {"id": …, "ms": [total ms of each run], "iters": …, "loglik": …}
# Usage: Rscript bench/peers/families_bench.R manifest.json
suppressPackageStartupMessages({ library(jsonlite); library(flexmix); library(mixtools) })

args <- commandArgs(trailingOnly = TRUE)
manifest <- fromJSON(args[1], simplifyVector = FALSE)
cat(toJSON(list(info = list(
  R = R.version.string,
  flexmix = as.character(packageVersion("flexmix")),
  mixtools = as.character(packageVersion("mixtools"))
)), auto_unbox = TRUE), "\n")

readMatrix <- function(path, rows, cols) {
  matrix(readBin(path, "double", rows * cols, size = 8, endian = "little"), rows, cols, byrow = TRUE)
}

for (case in manifest$cases) {
  result <- tryCatch({
    X <- readMatrix(case$x, case$n, case$d)
    y <- if (!is.null(case$y)) readBin(case$y, "double", case$n, size = 8, endian = "little") else NULL
    start <- readMatrix(case$start, case$n, case$k)
    partition <- max.col(start, ties.method = "first")
    call <- parse(text = case$call)[[1]]
    times <- numeric(0)
    fit <- NULL
    for (r in seq_len(case$repeats)) {
      t0 <- proc.time()[["elapsed"]]
      fit <- eval(call)
      times <- c(times, 1000 * (proc.time()[["elapsed"]] - t0))
    }
    loglik <- if (inherits(fit, "flexmix")) logLik(fit)[1] else fit$loglik
    list(id = case$id, ms = I(times), iters = case$iters, loglik = loglik)
  }, error = function(e) list(id = case$id, error = conditionMessage(e)))
  cat(toJSON(result, auto_unbox = TRUE, digits = NA), "\n")
  flush(stdout())
}
