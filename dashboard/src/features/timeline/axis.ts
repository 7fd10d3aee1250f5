const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick intervals a person counts in: round seconds, minutes, hours (never "every 37 s"). */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY,
];

/** The smallest round interval whose ticks land at least `minPx` apart at `pxPerMs`. */
export function tickStep(pxPerMs: number, minPx = 80): number {
  for (const step of STEPS) if (step * pxPerMs >= minPx) return step;
  const last = STEPS[STEPS.length - 1] ?? DAY;
  return last * Math.ceil(minPx / (last * pxPerMs));
}

/** The ticks (ms from the origin) inside [from, to], on multiples of `step`. */
export function ticks(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.max(0, Math.ceil(from / step) * step); t <= to; t += step) out.push(t);
  return out;
}

function unit(value: number, suffix: string): string {
  return value ? `${value}${suffix}` : "";
}

/**
 * A tick's label, relative to the run's start: "+0s", "+500ms", "+30s", "+1m", "+1m30s", "+2h15m".
 * `step` (the tick interval) sets the precision, so neighbouring ticks never read the same.
 */
export function formatOffset(ms: number, step = 100): string {
  if (ms <= 0) return "+0s";
  if (ms < SECOND) return `+${Math.round(ms)}ms`;
  if (ms < MINUTE) return `+${Number((ms / SECOND).toFixed(step < 10 ? 3 : step < 100 ? 2 : 1))}s`;
  const total = Math.round(ms / SECOND);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d) return `+${d}d${unit(h, "h")}`;
  if (h) return `+${h}h${unit(m, "m")}`;
  return `+${m}m${unit(s, "s")}`;
}

/** A duration as the runs list shows one ("3m 05s", "4.2s"), down to milliseconds for cache hits. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < SECOND) return `${Math.round(ms)}ms`;
  if (ms < 10 * SECOND) return `${(ms / SECOND).toFixed(1)}s`;
  const total = Math.round(ms / SECOND);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}
