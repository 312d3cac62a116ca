/** One row of `npm run bench`: what was measured, the figure, and what it is compared with. */
export interface BenchRow {
  what: string;
  figure: string;
  /** The reference figure on the same machine (e.g. `node -e 0`, raw curl, plain fetch). */
  baseline?: string;
  /** figure / baseline, e.g. `1.12x`. */
  ratio?: string;
  /** The target, e.g. `< 1.5 s`. */
  target?: string;
}
