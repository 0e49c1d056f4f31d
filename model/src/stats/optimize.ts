/** Limited-memory BFGS for smooth unconstrained minimisation (used by logistic regression). */

/** An objective: value and gradient at x (the gradient written into `gradient`). */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

/** Options for {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Maximum iterations (default 500). */
  maxIter?: number;
  /** Stop when max |gradient| <= gradTol (default 1e-6). */
  gradTol?: number;
  /** Stop when (f_old - f_new) <= funcTol * max(|f_old|, |f_new|, 1) (default 1e-12). */
  funcTol?: number;
  /** Number of correction pairs kept (default 10). */
  memory?: number;
}

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  converged: boolean;
  /** Why it stopped. */
  reason: 'gradient' | 'function' | 'maxIter' | 'lineSearch';
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * Minimises `f` from `x0` by L-BFGS (two-loop recursion) with a backtracking Armijo line search
 * (c1 = 1e-4, halving). Pairs with non-positive curvature are skipped.
 */
export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIter = options.maxIter ?? 500;
  const gradTol = options.gradTol ?? 1e-6;
  const funcTol = options.funcTol ?? 1e-12;
  const memory = options.memory ?? 10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let reason: LbfgsResult['reason'] = 'maxIter';
  let iter = 0;
  if (maxAbs(g) <= gradTol)
    return { x, value: fx, gradient: g, iterations: 0, converged: true, reason: 'gradient' };
  for (; iter < maxIter; iter++) {
    // Two-loop recursion: direction = -H g.
    direction.set(g);
    for (let k = sList.length - 1; k >= 0; k--) {
      const a = rhoList[k]! * dot(sList[k]!, direction);
      alpha[k] = a;
      const y = yList[k]!;
      for (let i = 0; i < n; i++) direction[i]! -= a * y[i]!;
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const gamma = dot(sList[last]!, yList[last]!) / dot(yList[last]!, yList[last]!);
      for (let i = 0; i < n; i++) direction[i]! *= gamma;
    } else {
      const scale = 1 / Math.max(1, Math.sqrt(dot(g, g)));
      for (let i = 0; i < n; i++) direction[i]! *= scale;
    }
    for (let k = 0; k < sList.length; k++) {
      const b = rhoList[k]! * dot(yList[k]!, direction);
      const s = sList[k]!;
      for (let i = 0; i < n; i++) direction[i]! += s[i]! * (alpha[k]! - b);
    }
    for (let i = 0; i < n; i++) direction[i] = -direction[i]!;
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      const scale = 1 / Math.max(1, Math.sqrt(dot(g, g)));
      for (let i = 0; i < n; i++) direction[i] = -g[i]! * scale;
      slope = dot(g, direction);
    }
    // Backtracking Armijo line search.
    let step = 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let ls = 0; ls < 50; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * direction[i]!;
      fNew = f(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) {
      reason = 'lineSearch';
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
    }
    const fOld = fx;
    x = xNew;
    g = gNew;
    fx = fNew;
    if (maxAbs(g) <= gradTol) {
      reason = 'gradient';
      iter++;
      break;
    }
    if (fOld - fx <= funcTol * Math.max(Math.abs(fOld), Math.abs(fx), 1)) {
      reason = 'function';
      iter++;
      break;
    }
  }
  return { x, value: fx, gradient: g, iterations: iter, converged: reason !== 'maxIter', reason };
}
