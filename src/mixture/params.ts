/** Fitted Gaussian-mixture parameters, flat row-major in scikit-learn's shapes. */
export interface GaussianParams {
  /** `(nComponents)` */
  weights: Float64Array;
  /** `(nComponents × nFeatures)` */
  means: Float64Array;
  /** shape by covariance type: full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`, spherical `(K)` */
  covariances: Float64Array;
  /** same shape as `covariances`; upper triangular for full and tied (`precision = U Uᵀ`) */
  precisionsCholesky: Float64Array;
}

/** Machine epsilon for f64; scikit-learn adds `10·eps` to every component's mass. */
export const EPS = 2.220446049250313e-16;
