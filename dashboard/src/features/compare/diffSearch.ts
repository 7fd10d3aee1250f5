/** The structural diff page's URL: the two runs, the step picked, whether unchanged steps are listed. */
export interface RunDiffSearch {
  before?: string;
  after?: string;
  /** The step picked on the graph. */
  step?: string;
  /** Unchanged steps listed too. */
  all?: boolean;
}

export function validateRunDiffSearch(raw: Record<string, unknown>): RunDiffSearch {
  const out: RunDiffSearch = {};
  for (const key of ["before", "after", "step"] as const) {
    const v = raw[key];
    if (typeof v === "string" && v.length > 0 && v.length <= 300) out[key] = v;
  }
  if (raw.all === true || raw.all === "true") out.all = true;
  return out;
}
