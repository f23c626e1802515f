# mclust peer for `npm run bench`: times mclust's EM from the harness's start.
#
# Usage: Rscript mclust_bench.R MANIFEST.tsv
#
# The manifest is the one sklearn_bench.py reads (tab-separated: id, cov, n, d, k, iters, repeats,
# data, start; the .bin files are float64 little-endian, row-major). Prints JSON lines: first
# {"info": ...}, then one object per case.
#
# How the start is given: mclust's em() takes parameters, but it is only estep() from them
# followed by me(), whose loop runs control$itmax iterations of M-step then E-step. So the script
# calls estep() on the harness's weights, means and covariances (inverted precisions) once,
# untimed in the per-iteration figure (its time is init_ms), and times me() from those
# responsibilities z: exactly `iters` EM iterations, the same EM as scikit-learn's from the same
# start. With tol = c(0, 0) the loop stops early only if the log-likelihood repeats bit for bit.
# Models: full = "VVV", tied = "EEE", diag = "VVI", spherical = "VII". mclust adds no reg_covar
# and its M-steps differ in detail, so only its time per iteration is compared.

suppressPackageStartupMessages(library(mclust))

model_names <- c(full = "VVV", tied = "EEE", diag = "VVI", spherical = "VII")

read_f64 <- function(path, count) {
  con <- file(path, "rb")
  on.exit(close(con))
  x <- readBin(con, "double", n = count, size = 8, endian = "little")
  if (length(x) != count) stop(sprintf("%s: expected %d values, found %d", path, count, length(x)))
  x
}

# Turns the harness's start (weights, means, precisions) into mclust's parameter list.
mclust_parameters <- function(cov, start, n_comp, d) {
  k <- n_comp
  weights <- start[1:k]
  means <- matrix(start[k + seq_len(k * d)], nrow = d, ncol = k) # row-major k x d = column-major d x k
  prec <- start[-seq_len(k + k * d)]
  variance <- switch(cov,
    full = {
      sigma <- array(0, c(d, d, k))
      cholsigma <- array(0, c(d, d, k))
      for (c in seq_len(k)) {
        P <- matrix(prec[(c - 1) * d * d + seq_len(d * d)], d, d, byrow = TRUE)
        sigma[, , c] <- solve(P)
        cholsigma[, , c] <- chol(sigma[, , c]) # upper triangular, as mclust keeps it
      }
      list(modelName = "VVV", d = d, G = k, sigma = sigma, cholsigma = cholsigma)
    },
    tied = {
      Sigma <- solve(matrix(prec, d, d, byrow = TRUE))
      list(modelName = "EEE", d = d, G = k, Sigma = Sigma, cholSigma = chol(Sigma),
           sigma = array(Sigma, c(d, d, k)))
    },
    diag = {
      # diag covariance of component c = scale[c] * shape[, c], with det(diag(shape[, c])) = 1
      v <- matrix(1 / prec, nrow = d, ncol = k)
      scale <- exp(colMeans(log(v)))
      list(modelName = "VVI", d = d, G = k, scale = scale, shape = sweep(v, 2, scale, "/"))
    },
    spherical = list(modelName = "VII", d = d, G = k, sigmasq = 1 / prec, scale = 1 / prec)
  )
  list(pro = weights, mean = means, variance = variance)
}

json_num <- function(x) if (is.na(x) || !is.finite(x)) "null" else sprintf("%.17g", x)
json_str <- function(x) sprintf("\"%s\"", gsub("([\"\\\\])", "\\\\\\1", x))
json_obj <- function(...) {
  fields <- list(...)
  paste0("{", paste(sprintf("\"%s\":%s", names(fields), unlist(fields)), collapse = ","), "}")
}
emit <- function(line) {
  cat(line, "\n", sep = "")
  flush(stdout())
}

elapsed_ms <- function(expr) {
  t <- Sys.time()
  force(expr)
  as.numeric(difftime(Sys.time(), t, units = "secs")) * 1e3
}

run_case <- function(row) {
  cov <- row$cov
  n <- as.integer(row$n)
  d <- as.integer(row$d)
  k <- as.integer(row$k)
  iters <- as.integer(row$iters)
  repeats <- as.integer(row$repeats)
  X <- matrix(read_f64(row$data, n * d), nrow = n, ncol = d, byrow = TRUE)
  start <- read_f64(row$start, k + k * d + switch(cov, full = k * d * d, tied = d * d, diag = k * d, spherical = k))
  model <- model_names[[cov]]
  params <- mclust_parameters(cov, start, k, d)
  control <- emControl(tol = c(0, 0), itmax = c(iters, iters))
  e0 <- NULL
  estep_ms <- elapsed_ms(e0 <- estep(X, modelName = model, parameters = params, warn = FALSE))
  if (is.na(e0$loglik)) stop(sprintf("mclust estep() failed at the start: %s", attr(e0, "WARNING")))
  times <- numeric(repeats)
  fit <- NULL
  for (r in seq_len(repeats)) {
    times[r] <- elapsed_ms(fit <- me(X, modelName = model, z = e0$z, control = control, warn = FALSE))
  }
  done <- abs(attr(fit, "info")[["iterations"]]) # negative when itmax was reached
  if (is.na(fit$loglik)) stop(sprintf("mclust em() failed: %s", attr(fit, "WARNING")))
  json_obj(
    id = json_str(row$id), cov = json_str(cov), model = json_str(model), iters = done,
    fit_ms = paste0("[", paste(sapply(times, json_num), collapse = ","), "]"),
    ms_per_iter = paste0("[", paste(sapply(times / done, json_num), collapse = ","), "]"),
    init_ms = json_num(estep_ms), loglik_per_n = json_num(fit$loglik / n)
  )
}

main <- function() {
  args <- commandArgs(trailingOnly = TRUE)
  cases <- read.delim(args[[1]], colClasses = "character")
  emit(json_obj(info = json_obj(
    R = json_str(paste(R.version$major, R.version$minor, sep = ".")),
    mclust = json_str(as.character(packageVersion("mclust"))),
    blas = json_str(extSoftVersion()[["BLAS"]]),
    lapack = json_str(La_library())
  )))
  for (i in seq_len(nrow(cases))) {
    row <- as.list(cases[i, ])
    line <- tryCatch(run_case(row), error = function(e) {
      json_obj(id = json_str(row$id), cov = json_str(row$cov), error = json_str(conditionMessage(e)))
    })
    emit(line)
  }
}

main()
