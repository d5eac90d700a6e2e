/**
 * P(|T| <= t) for Student's t with an integer number of degrees of freedom, written through
 * θ = atan(t / √df) as the finite sums of Abramowitz & Stegun 26.7.3 (odd df) and 26.7.4
 * (even df): exact for the integer df that rounds give, with no special functions to get wrong.
 */
function centralProbability(theta: number, degreesOfFreedom: number): number {
  const sin = Math.sin(theta);
  const cos = Math.cos(theta);
  const cosSquared = cos * cos;
  const odd = degreesOfFreedom % 2 === 1;
  let term = 1;
  let sum = degreesOfFreedom === 1 ? 0 : 1;
  for (let k = odd ? 3 : 2; k <= degreesOfFreedom - 2; k += 2) {
    term *= (cosSquared * (k - 1)) / k;
    sum += term;
  }
  return odd ? (2 / Math.PI) * (theta + sin * cos * sum) : sin * sum;
}

const BISECTION_STEPS = 200;

/**
 * The two-sided critical value of Student's t: the `t` with P(|T| <= t) = `confidence`
 * for `degreesOfFreedom` (a positive integer). Found by bisection on θ in (0, π/2), where
 * the probability is monotone, to the last bit of a double.
 */
export function studentTCritical(confidence: number, degreesOfFreedom: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  }
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new RangeError(`degrees of freedom must be a positive integer, got ${degreesOfFreedom}`);
  }
  let low = 0;
  let high = Math.PI / 2;
  for (let step = 0; step < BISECTION_STEPS && high - low > 0; step++) {
    const middle = (low + high) / 2;
    if (middle === low || middle === high) break;
    if (centralProbability(middle, degreesOfFreedom) < confidence) low = middle;
    else high = middle;
  }
  return Math.sqrt(degreesOfFreedom) * Math.tan((low + high) / 2);
}
