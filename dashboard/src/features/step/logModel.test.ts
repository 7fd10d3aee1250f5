import { describe, expect, it } from "vitest";

import type { LogLine } from "../../api/logs";
import { LogPages, MAX_SHOWN_CHARS, PAGE, classify, highlight, openAt, shown, stepHit } from "./logModel";

const line = (n: number, m = `line ${n}`): LogLine => ({ n, t: 0, s: "stdout", l: null, m });

describe("classify", () => {
  it("tells sources and levels apart", () => {
    expect(classify({ s: "stdout", l: null })).toMatchObject({ tone: "stdout", mark: "" });
    expect(classify({ s: "stderr", l: null })).toMatchObject({ tone: "stderr", mark: "err" });
    expect(classify({ s: "logging", l: "ERROR" })).toMatchObject({ tone: "error", color: "red" });
    expect(classify({ s: "logging", l: "CRITICAL" })).toMatchObject({ tone: "error", color: "red" });
    expect(classify({ s: "logging", l: "WARNING" })).toMatchObject({ tone: "warning", color: "yellow" });
    expect(classify({ s: "logging", l: "DEBUG" }).tone).toBe("debug");
    expect(classify({ s: "logging", l: "TRACE_CUSTOM" }).mark).toBe("TRAC");
    expect(classify({ s: "logging", l: null }).mark).toBe("LOG");
  });
});

describe("highlight", () => {
  it("splits case-insensitively, keeping the original text", () => {
    expect(highlight("Loss went NaN, nan again", "nan")).toEqual([
      { text: "Loss went ", hit: false },
      { text: "NaN", hit: true },
      { text: ", ", hit: false },
      { text: "nan", hit: true },
      { text: " again", hit: false },
    ]);
  });
  it("treats the term literally", () => {
    expect(highlight('path "C:\\x" (1+1)', '"C:\\x" (1+1)').filter((s) => s.hit)).toEqual([{ text: '"C:\\x" (1+1)', hit: true }]);
    expect(highlight("a.b", ".")).toEqual([
      { text: "a", hit: false },
      { text: ".", hit: true },
      { text: "b", hit: false },
    ]);
  });
  it("returns the text whole without a term or a match", () => {
    expect(highlight("abc", undefined)).toEqual([{ text: "abc", hit: false }]);
    expect(highlight("abc", "z")).toEqual([{ text: "abc", hit: false }]);
    expect(highlight("", "z")).toEqual([{ text: "", hit: false }]);
  });
});

describe("shown", () => {
  it("cuts runaway lines and says by how much", () => {
    expect(shown("short")).toEqual({ text: "short", cut: 0 });
    const long = shown("x".repeat(MAX_SHOWN_CHARS + 5));
    expect(long.text.length).toBe(MAX_SHOWN_CHARS);
    expect(long.cut).toBe(5);
  });
});

describe("LogPages", () => {
  it("finds lines by number and reports missing pages", () => {
    const pages = new LogPages();
    pages.put(Array.from({ length: PAGE }, (_, i) => line(PAGE + i)));
    expect(pages.line(PAGE + 3)?.m).toBe(`line ${PAGE + 3}`);
    expect(pages.line(3)).toBeUndefined();
    expect(pages.missing(0, 3 * PAGE, 10 * PAGE)).toEqual([0, 2]);
    expect(pages.missing(PAGE, 2 * PAGE, 10 * PAGE)).toEqual([]);
    // Nothing past the end of the log is missing.
    expect(pages.missing(PAGE, 3 * PAGE, 2 * PAGE)).toEqual([]);
  });
  it("counts a partly loaded page (a tail) as missing only where lines are absent", () => {
    const pages = new LogPages();
    pages.put([line(PAGE - 2), line(PAGE - 1)]);
    expect(pages.missing(PAGE - 2, PAGE, PAGE)).toEqual([]);
    expect(pages.missing(0, PAGE, PAGE)).toEqual([0]);
  });
  it("does not ask twice for a page being fetched", () => {
    const pages = new LogPages();
    pages.fetching(0, true);
    expect(pages.missing(0, PAGE, PAGE)).toEqual([]);
    pages.fetching(0, false);
    expect(pages.missing(0, PAGE, PAGE)).toEqual([0]);
  });
  it("drops the least recently used pages past its cap", () => {
    const pages = new LogPages(2);
    pages.put([line(0)]);
    pages.put([line(PAGE)]);
    pages.touch(0, 1);
    pages.put([line(2 * PAGE)]);
    expect(pages.size).toBe(2);
    expect(pages.line(0)).toBeDefined();
    expect(pages.line(PAGE)).toBeUndefined();
    expect(pages.line(2 * PAGE)).toBeDefined();
  });
});

describe("stepHit and openAt", () => {
  it("moves through hits, wrapping only when told", () => {
    expect(stepHit(undefined, 3, 1, false)).toBe(0);
    expect(stepHit(undefined, 3, -1, false)).toBe(2);
    expect(stepHit(2, 3, 1, false)).toBe(2);
    expect(stepHit(2, 3, 1, true)).toBe(0);
    expect(stepHit(0, 3, -1, true)).toBe(2);
    expect(stepHit(0, 0, 1, true)).toBeUndefined();
  });
  it("opens a running or failed step at its tail, a finished one at its start", () => {
    expect(openAt("running")).toBe("tail");
    expect(openAt("failed")).toBe("tail");
    expect(openAt("completed")).toBe("start");
    expect(openAt("cached")).toBe("start");
  });
});
