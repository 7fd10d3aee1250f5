/** A run page's URL search params: view, selected step, its tab, a log line and a log search. */
export const VIEWS = ["dag", "timeline"] as const;
export type RunView = (typeof VIEWS)[number];
export const STEP_TABS = ["overview", "logs", "metrics", "code", "artifacts"] as const;
export type StepTab = (typeof STEP_TABS)[number];

export interface RunSearch {
  view?: RunView;
  step?: string;
  tab?: StepTab;
  /** A log line number (permalink), 0-based as the server counts. */
  line?: number;
  /** A log search term. */
  logq?: string;
}

/** Runs with more steps than this open in the Timeline; smaller ones in the DAG. */
export const TIMELINE_DEFAULT_ABOVE = 100;

export function defaultView(stepCount: number): RunView {
  return stepCount > TIMELINE_DEFAULT_ABOVE ? "timeline" : "dag";
}

/** Accept what a hand-edited URL may hold; drop what makes no sense rather than fail. */
export function validateRunSearch(raw: Record<string, unknown>): RunSearch {
  const out: RunSearch = {};
  if (typeof raw.view === "string" && (VIEWS as readonly string[]).includes(raw.view)) out.view = raw.view as RunView;
  if (typeof raw.step === "string" && raw.step) out.step = raw.step;
  if (typeof raw.tab === "string" && (STEP_TABS as readonly string[]).includes(raw.tab)) out.tab = raw.tab as StepTab;
  const line = typeof raw.line === "number" ? raw.line : typeof raw.line === "string" ? Number(raw.line) : Number.NaN;
  if (Number.isInteger(line) && line >= 0) out.line = line;
  if ((typeof raw.logq === "string" || typeof raw.logq === "number") && String(raw.logq)) out.logq = String(raw.logq);
  return out;
}
