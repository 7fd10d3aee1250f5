import { useComputedColorScheme } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { EChartsType } from "echarts/core";
import { createContext, useContext, useEffect, useMemo, useRef, useState } from "react";

import { fetchVizJson, fetchVizText, isPermanent } from "./api";
import type { ChartTheme } from "./charts";

/** How a renderer tells its container it painted or failed. */
export interface VizReport {
  ready: (paintMs?: number) => void;
  /** `permanent`: the file is gone or corrupt, so "Try again" would only fail again. */
  fail: (message: string, permanent?: boolean) => void;
}

export const VizReportContext = createContext<VizReport>({ ready: () => undefined, fail: () => undefined });

export function useVizReport(): VizReport {
  return useContext(VizReportContext);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The stored JSON of a visualization run through `parse`; a failure goes to the container. */
export function useVizJson<T>(versionId: string, index: number, parse: (doc: unknown) => T): { data: T | undefined } {
  const report = useVizReport();
  const query = useQuery({
    queryKey: ["artifact-viz", versionId, index, "json"],
    queryFn: ({ signal }) => fetchVizJson(versionId, index, signal),
    staleTime: Infinity, // a version's visualizations never change
    retry: false,
  });
  const parsed = useMemo(() => {
    if (query.data === undefined) return { data: undefined, error: null };
    try {
      return { data: parse(query.data), error: null };
    } catch (e) {
      return { data: undefined, error: errorText(e) };
    }
  }, [query.data, parse]);
  const failure = query.error ? errorText(query.error) : parsed.error;
  const permanent = query.error ? isPermanent(query.error) : true;
  useEffect(() => {
    if (failure) report.fail(failure, permanent);
  }, [failure, permanent, report]);
  return { data: parsed.data };
}

export function useVizText(versionId: string, index: number): { data: string | undefined } {
  const report = useVizReport();
  const query = useQuery({
    queryKey: ["artifact-viz", versionId, index, "text"],
    queryFn: ({ signal }) => fetchVizText(versionId, index, signal),
    staleTime: Infinity,
    retry: false,
  });
  const failure = query.error ? errorText(query.error) : null;
  const permanent = isPermanent(query.error);
  useEffect(() => {
    if (failure) report.fail(failure, permanent);
  }, [failure, permanent, report]);
  return { data: query.data };
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function useChartTheme(): ChartTheme {
  const scheme = useComputedColorScheme("light");
  return useMemo(() => {
    const dark = scheme === "dark";
    return {
      text: cssVar("--mantine-color-text", dark ? "#c9c9c9" : "#000"),
      dimmed: cssVar("--mantine-color-dimmed", dark ? "#828282" : "#868e96"),
      grid: dark ? "rgba(255,255,255,0.10)" : "rgba(0,0,0,0.08)",
      background: cssVar("--mantine-color-body", dark ? "#242424" : "#fff"),
      accent: dark ? "#4dabf7" : "#1c7ed6",
    };
  }, [scheme]);
}

type ChartsModule = typeof import("./charts");

let chartsModule: Promise<ChartsModule> | null = null;

/** ECharts, fetched once; a failed fetch is retried on the next call. */
export function loadCharts(): Promise<ChartsModule> {
  chartsModule ??= import("./charts").catch((e: unknown) => {
    chartsModule = null;
    throw e;
  });
  return chartsModule;
}

/**
 * Draws with ECharts (loaded on first use) into the returned element whenever `draw` changes;
 * `onPainted` gets the milliseconds from the data being ready to draw to ECharts' first finished frame.
 */
export function useEChart(
  draw: ((charts: ChartsModule, el: HTMLElement) => EChartsType) | null,
  onPainted?: (ms: number) => void,
  onFailed?: (message: string) => void,
) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  // fetched while the data loads, so drawing doesn't wait for the code afterwards
  useEffect(() => {
    loadCharts().catch(() => undefined);
  }, []);
  const painted = useRef(onPainted);
  const failedCb = useRef(onFailed);
  useEffect(() => {
    painted.current = onPainted;
    failedCb.current = onFailed;
  });
  useEffect(() => {
    const el = ref.current;
    if (!el || !draw) return;
    let disposed = false;
    let dispose: (() => void) | undefined;
    const started = performance.now();
    loadCharts().then(
      (charts) => {
        if (disposed) return;
        let chart: EChartsType;
        try {
          chart = draw(charts, el);
        } catch (e) {
          failedCb.current?.(`The chart could not be drawn: ${errorText(e)}`);
          return;
        }
        let first = true;
        chart.on("finished", () => {
          if (!first) return;
          first = false;
          painted.current?.(performance.now() - started);
        });
        const observer = new ResizeObserver(() => chart.resize());
        observer.observe(el);
        dispose = () => {
          observer.disconnect();
          chart.dispose();
        };
      },
      () => {
        setFailed(true);
        failedCb.current?.("The chart code could not be loaded; reload the page.");
      },
    );
    return () => {
      disposed = true;
      dispose?.();
    };
  }, [draw]);
  return { ref, failed };
}
