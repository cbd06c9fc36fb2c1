/**
 * A fixed-capacity rolling window of numbers that answers median and MAD (median absolute deviation) without
 * sorting per query: values are kept twice, in arrival order (a ring) and sorted (binary-search insert/remove,
 * one `copyWithin` each). A push is O(n) memmove on a Float64Array (n = capacity, ~100 here: a few dozen ns);
 * `median()` is O(1); `mad()` is O(n) by walking outward from the median, merging the two sorted sides by distance.
 * Used by the spike detector's robust z-score, where the previous sort-twice-per-point cost ~20 us a point.
 * Only finite values may be pushed (the caller filters NaN/Inf: they are alerts of their own).
 */
export class RollingWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private n = 0;

  /** @param capacity the number of most recent values kept (>= 1). */
  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get length(): number { return this.n; }

  /** Adds a value, evicting the oldest when full. */
  push(v: number): void {
    if (this.n === this.capacity) {
      const old = this.ring[this.head];
      const i = this.lowerBound(old);
      this.sorted.copyWithin(i, i + 1, this.n);
      this.n--;
      this.ring[this.head] = v;
      this.head = (this.head + 1) % this.capacity;
    } else {
      this.ring[(this.head + this.n) % this.capacity] = v;
    }
    const j = this.lowerBound(v);
    this.sorted.copyWithin(j + 1, j, this.n);
    this.sorted[j] = v;
    this.n++;
  }

  /** The largest value (NaN when empty). */
  max(): number { return this.n ? this.sorted[this.n - 1] : NaN; }

  /** The median (mean of the two middle values for an even count; NaN when empty). */
  median(): number {
    const n = this.n, s = this.sorted, m = n >> 1;
    if (!n) return NaN;
    return n % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  /** The median of |x - median| over the window (NaN when empty), the same value a sort-based definition gives. */
  mad(): number {
    const n = this.n;
    if (!n) return NaN;
    const med = this.median(), s = this.sorted;
    // Distances grow moving outward from the median on either side: merge the two sides by distance. For odd n the
    // centre element (distance 0) is rank 0 and the MAD is rank n>>1; for even n it is the mean of ranks n/2-1, n/2.
    const m = n >> 1, odd = n % 2 === 1;
    let lo = m - 1, hi = odd ? m + 1 : m;
    let rank = odd ? 1 : 0, prev = 0, cur = 0;
    while (rank <= m) {
      const dl = lo >= 0 ? med - s[lo] : Infinity;
      const dh = hi < n ? s[hi] - med : Infinity;
      prev = cur;
      if (dl <= dh) { cur = dl; lo--; } else { cur = dh; hi++; }
      rank++;
    }
    return odd ? cur : (prev + cur) / 2;
  }

  private lowerBound(v: number): number {
    let lo = 0, hi = this.n;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.sorted[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  }
}
