/** How the access-log reports (terminal and HTML) write their figures, so both say the same thing. */

const intFormat = new Intl.NumberFormat('en-US');

/** A count with thousands separators: `12,345`. */
export function int(n: number): string {
  return intFormat.format(n);
}

/** A share as a percentage: `99.125%`; `-` when there is none (no requests). */
export function pct(x: number | null, digits = 3): string {
  return x === null ? '-' : `${(x * 100).toFixed(digits)}%`;
}

/** A difference of shares in percentage points: `0.875 points`. */
export function points(x: number): string {
  return `${(x * 100).toFixed(3)} points`;
}

/** Seconds as the log writes them, to the millisecond; `-` when there is none. */
export function sec(x: number | null): string {
  return x === null ? '-' : x.toFixed(3);
}

/** The availability target without trailing zeros: `99%`, `99.9%`, `99.95%`. */
export function targetLabel(target: number): string {
  return `${Number((target * 100).toFixed(4))}%`;
}
