import type { LogLine } from "../../api/logs";

/** Lines fetched per request; pages are aligned to multiples of it. */
export const PAGE = 500;
/** Pages kept in memory (100,000 lines); the least recently used go first. */
export const MAX_PAGES = 200;
/** A message longer than this is cut in the viewer (the download has it whole). */
export const MAX_SHOWN_CHARS = 20_000;

export type Tone = "stdout" | "stderr" | "debug" | "info" | "warning" | "error";

export interface LineKind {
  tone: Tone;
  /** A short source/level mark shown before the text. */
  mark: string;
  /** Mantine colour of the mark (and of the text for warning and error). */
  color: string | undefined;
}

const LEVELS: Record<string, LineKind> = {
  CRITICAL: { tone: "error", mark: "CRIT", color: "red" },
  FATAL: { tone: "error", mark: "FATL", color: "red" },
  ERROR: { tone: "error", mark: "ERR", color: "red" },
  WARNING: { tone: "warning", mark: "WARN", color: "yellow" },
  WARN: { tone: "warning", mark: "WARN", color: "yellow" },
  INFO: { tone: "info", mark: "INFO", color: "blue" },
  DEBUG: { tone: "debug", mark: "DBG", color: "gray" },
};

/** How a line is told apart: stdout plain, stderr orange, logging records by level. */
export function classify(line: Pick<LogLine, "s" | "l">): LineKind {
  if (line.s === "logging") {
    const level = (line.l ?? "").toUpperCase();
    return LEVELS[level] ?? { tone: "info", mark: level.slice(0, 4) || "LOG", color: "blue" };
  }
  if (line.s === "stderr") return { tone: "stderr", mark: "err", color: "orange" };
  return { tone: "stdout", mark: "", color: undefined };
}

export interface Segment {
  text: string;
  hit: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `text` cut into plain and matching segments (case-insensitive, as the server searches). */
export function highlight(text: string, term: string | undefined): Segment[] {
  if (!term) return [{ text, hit: false }];
  const re = new RegExp(escapeRegExp(term), "gi");
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index;
    if (at > last) out.push({ text: text.slice(last, at), hit: false });
    out.push({ text: m[0], hit: true });
    last = at + m[0].length;
  }
  if (last < text.length || out.length === 0) out.push({ text: text.slice(last), hit: false });
  return out;
}

/** A message as shown: cut past MAX_SHOWN_CHARS, saying how much was left out. */
export function shown(text: string): { text: string; cut: number } {
  return text.length > MAX_SHOWN_CHARS ? { text: text.slice(0, MAX_SHOWN_CHARS), cut: text.length - MAX_SHOWN_CHARS } : { text, cut: 0 };
}

/**
 * The lines fetched so far, in pages of PAGE lines, so a million-line log is never held
 * whole: the viewer asks which pages a visible range lacks, fetches them, and old pages
 * are dropped (least recently used first) past MAX_PAGES.
 */
export class LogPages {
  private pages = new Map<number, (LogLine | undefined)[]>();
  private inFlight = new Set<number>();

  constructor(private readonly maxPages = MAX_PAGES) {}

  get size(): number {
    return this.pages.size;
  }

  line(n: number): LogLine | undefined {
    return this.pages.get(Math.floor(n / PAGE))?.[n % PAGE];
  }

  put(lines: readonly LogLine[]): void {
    for (const line of lines) {
      const index = Math.floor(line.n / PAGE);
      let page = this.pages.get(index);
      if (!page) {
        page = [];
        this.pages.set(index, page);
      }
      page[line.n % PAGE] = line;
    }
    this.evict();
  }

  /** Mark the pages of lines `from`..`to` (exclusive) as just used. */
  touch(from: number, to: number): void {
    for (let p = Math.floor(from / PAGE); p <= Math.floor((to - 1) / PAGE); p++) {
      const page = this.pages.get(p);
      if (page) {
        this.pages.delete(p);
        this.pages.set(p, page);
      }
    }
  }

  /** Pages holding a line of `from`..`to` (exclusive, within `total`) that is not here nor being fetched. */
  missing(from: number, to: number, total: number): number[] {
    const out: number[] = [];
    const end = Math.min(to, total);
    for (let p = Math.floor(Math.max(from, 0) / PAGE); p * PAGE < end; p++) {
      if (this.inFlight.has(p)) continue;
      const page = this.pages.get(p);
      const last = Math.min((p + 1) * PAGE, end);
      for (let n = Math.max(p * PAGE, from); n < last; n++) {
        if (!page?.[n % PAGE]) {
          out.push(p);
          break;
        }
      }
    }
    return out;
  }

  fetching(page: number, on: boolean): void {
    if (on) this.inFlight.add(page);
    else this.inFlight.delete(page);
  }

  private evict(): void {
    for (const key of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      this.pages.delete(key);
    }
  }
}

/** The hit to go to from `current` (an index into `count` hits), wrapping only when `wrap`. */
export function stepHit(current: number | undefined, count: number, dir: 1 | -1, wrap: boolean): number | undefined {
  if (count === 0) return undefined;
  if (current === undefined) return dir === 1 ? 0 : count - 1;
  const next = current + dir;
  if (next >= 0 && next < count) return next;
  return wrap ? (next + count) % count : current;
}

/** Where the viewer opens when no line is asked for: the tail while a step runs or after it failed, else the start. */
export function openAt(status: string | null | undefined): "tail" | "start" {
  return status === "running" || status === "initializing" || status === "failed" || status === "crashed" ? "tail" : "start";
}
