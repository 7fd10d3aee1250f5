/** Resource samples of a step run (see waypost/execution/resources.py) as chart series. */

export interface Sample {
  t: number;
  cpu_percent?: number;
  rss_bytes?: number;
  system_mem_percent?: number;
  gpu?: { index: number; util_percent?: number; mem_used_bytes?: number; mem_total_bytes?: number }[];
}

export interface Series {
  name: string;
  /** [seconds since the first sample, value] */
  points: [number, number][];
}

export interface Metrics {
  cpu: Series[];
  memory: Series[];
  gpuUtil: Series[];
  gpuMemory: Series[];
}

const MB = 1024 * 1024;

function isSample(x: unknown): x is Sample {
  return typeof x === "object" && x !== null && typeof (x as { t?: unknown }).t === "number";
}

/** Series for the charts: CPU %, RSS in MB, and per GPU utilisation and memory (MB), where recorded. */
export function toMetrics(raw: readonly unknown[]): Metrics {
  const samples = raw.filter(isSample).sort((a, b) => a.t - b.t);
  const t0 = samples[0]?.t ?? 0;
  const cpu: [number, number][] = [];
  const rss: [number, number][] = [];
  const util = new Map<number, [number, number][]>();
  const mem = new Map<number, [number, number][]>();
  for (const s of samples) {
    const x = Math.round((s.t - t0) * 1000) / 1000;
    if (typeof s.cpu_percent === "number") cpu.push([x, s.cpu_percent]);
    if (typeof s.rss_bytes === "number") rss.push([x, Math.round((s.rss_bytes / MB) * 10) / 10]);
    for (const g of s.gpu ?? []) {
      if (typeof g.util_percent === "number") (util.get(g.index) ?? util.set(g.index, []).get(g.index))?.push([x, g.util_percent]);
      if (typeof g.mem_used_bytes === "number")
        (mem.get(g.index) ?? mem.set(g.index, []).get(g.index))?.push([x, Math.round(g.mem_used_bytes / MB)]);
    }
  }
  const gpuSeries = (m: Map<number, [number, number][]>) =>
    [...m.entries()].sort(([a], [b]) => a - b).map(([index, points]) => ({ name: `GPU ${index}`, points }));
  return {
    cpu: cpu.length ? [{ name: "CPU %", points: cpu }] : [],
    memory: rss.length ? [{ name: "RSS (MB)", points: rss }] : [],
    gpuUtil: gpuSeries(util),
    gpuMemory: gpuSeries(mem),
  };
}

/** Why a step has no samples, in words. */
export function noSamplesReason(status: string, cached: boolean): string {
  if (cached || status === "cached") return "This step was taken from the cache, so it did not run and nothing was sampled.";
  if (status === "skipped" || status === "stopped") return "This step did not run, so nothing was sampled.";
  if (status === "running" || status === "initializing") return "Samples are stored when the step finishes.";
  return "Resource tracking was off for this run, or the step ended before the first sample was stored.";
}
