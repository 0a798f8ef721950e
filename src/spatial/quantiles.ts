/**
 * Percentiles by selection instead of sorting. Each object needs p5/p50/p95 of z, x and y over up to a
 * few thousand points; selection finds them in O(n) where a sort is O(n log n), which is most of the
 * difference between a few milliseconds and a few tens for a 50-object scene.
 *
 * Definition (numpy's default, "linear"): with the n values in ascending order a[0..n-1] and
 * h = p * (n - 1), q(p) = a[floor(h)] + (h - floor(h)) * (a[floor(h) + 1] - a[floor(h)]).
 */

/** Windows larger than this are narrowed first by a recursive selection on a sample around k. */
const SAMPLE_ABOVE = 600;

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Floyd-Rivest selection: reorders a[lo..hi] (inclusive) so that a[k] is the value a sort would put
 * there, everything before it <= a[k] and everything after >= a[k]. For a large window it first selects
 * within a small window of the expected position, which makes the pivot land within a few elements of k;
 * about n + min(k, n - k) comparisons in all, against the 2n to 3n of quickselect, which matters for
 * p5 and p95. Deterministic: no random pivots; a step limit falls back to the native sort, so even
 * adversarial input stays O(n log n).
 *
 * Returns an index `end` >= k such that positions k..end hold exactly the values of ranks k..end:
 * the next order statistic is then the smallest of a[k + 1..end] (when end > k).
 */
export function selectInPlace(a: Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  let end = hi;
  let steps = 4 * Math.ceil(Math.log2(hi - lo + 2)) + 8;
  while (hi > lo) {
    if (steps-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return end;
    }
    if (hi - lo > SAMPLE_ABOVE) {
      const n = hi - lo + 1;
      const m = k - lo + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      selectInPlace(
        a,
        k,
        Math.max(lo, Math.floor(k - (m * s) / n + sd)),
        Math.min(hi, Math.floor(k + ((n - m) * s) / n + sd)),
      );
    }
    const t = a[k];
    let i = lo;
    let j = hi;
    swap(a, lo, k);
    if (a[hi] > t) swap(a, lo, hi);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[lo] === t) swap(a, lo, j);
    else {
      j++;
      swap(a, j, hi);
    }
    // a[j] === t is in its final place; a[lo..j - 1] <= t <= a[j + 1..hi].
    if (j <= k) lo = j + 1;
    if (k <= j) {
      hi = j - 1;
      if (j > k) end = j; // everything after j is >= everything up to j
    }
  }
  return end;
}

/**
 * Quantiles of the first `n` values of `values` (which it reorders) for ascending `ps` in [0, 1].
 * The values must not contain NaN. Each selection works only on the part above the previous one.
 */
export function quantilesInPlace(values: Float64Array, n: number, ps: readonly number[]): number[] {
  if (n === 0) throw new RangeError('quantiles of an empty sample');
  const out: number[] = [];
  let lo = 0;
  for (const p of ps) {
    const h = p * (n - 1);
    const k = Math.floor(h);
    // Without a selection here (k already placed), the search for the next value covers the rest.
    const end = k >= lo ? selectInPlace(values, k, lo, n - 1) : n - 1;
    let value = values[k];
    const frac = h - k;
    if (frac > 0) {
      // The next order statistic is the smallest value after position k; it lies in k + 1..end unless
      // the last partition ended at k.
      const last = end > k ? end : n - 1;
      let next = Infinity;
      let at = k + 1;
      for (let i = k + 1; i <= last; i++) {
        if (values[i] < next) {
          next = values[i];
          at = i;
        }
      }
      values[at] = values[k + 1];
      values[k + 1] = next;
      value += frac * (next - value);
    }
    lo = Math.max(lo, k + 1);
    out.push(value);
  }
  return out;
}
