/**
 * The error function, for GELU in its exact (erf) form (BERT's hidden_act "gelu", torch.nn.functional.gelu with
 * approximate="none").
 *
 * Dependencies: none. W. J. Cody's rational Chebyshev approximation ("Rational Chebyshev approximations for the
 * error function", Math. Comp. 1969), coefficients as in mathjs's erf; exp(−y²) is split in two so the tail keeps
 * its last bits (mathjs's erf does not: its GELU differed from PyTorch's in the last digits).
 */

const P = [
  [3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1],
  [5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
    1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8],
  [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4,
    1.63153871373020978e-2],
];
const Q = [
  [2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03],
  [1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03, 3.29079923573345963e03,
    4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03],
  [2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3],
];
const SQRPI = 5.6418958354775628695e-1; // 1/√π

/** erfc(y) for y > 0.46875, with exp(−y²) split as exp(−ŷ²)·exp(−(y−ŷ)(y+ŷ)), ŷ = y rounded down to 1/16. */
function _erfcTail(y: number): number {
  let r: number;
  if (y <= 4) {
    let num = P[1][8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + P[1][i]) * y;
      den = (den + Q[1][i]) * y;
    }
    r = (num + P[1][7]) / (den + Q[1][7]);
  } else {
    const z = 1 / (y * y);
    let num = P[2][5] * z;
    let den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + P[2][i]) * z;
      den = (den + Q[2][i]) * z;
    }
    r = (SQRPI - (z * (num + P[2][4])) / (den + Q[2][4])) / y;
  }
  const ys = Math.trunc(y * 16) / 16;
  return Math.exp(-ys * ys) * Math.exp(-(y - ys) * (y + ys)) * r;
}

/**
 * The error function, to about 1e-16.
 *   erf(x) = (2/√π) ∫_0^x e^(−t²) dt
 *
 * @param x any number (NaN gives NaN)
 * @return erf(x) in [−1, 1]
 * @example erf(1) // returns 0.8427007929497148  (Python math.erf(1) = 0.8427007929497149, 1 ulp away)
 */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) {
    const z = y * y;
    let num = P[0][4] * z;
    let den = z;
    for (let i = 0; i < 3; i++) {
      num = (num + P[0][i]) * z;
      den = (den + Q[0][i]) * z;
    }
    return (x * (num + P[0][3])) / (den + Q[0][3]);
  }
  if (y >= 6) return Math.sign(x); // erfc(6) < 2.2e-17
  return Math.sign(x) * (1 - _erfcTail(y));
}
