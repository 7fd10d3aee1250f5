import { Alert, Loader, Stack, Text, Title, useComputedColorScheme } from "@mantine/core";
import { useEffect, useMemo, useRef, useState } from "react";

import type { StepRun } from "../../api/steps";
import type { ChartTheme } from "./charts";
import { type Series, noSamplesReason, toMetrics } from "./metrics";

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function LineChartBox({ title, series, unit, max }: { title: string; series: Series[]; unit: string; max?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const scheme = useComputedColorScheme("light");
  const [failed, setFailed] = useState(false);
  const [drawn, setDrawn] = useState(false);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let disposed = false;
    let dispose: (() => void) | undefined;
    const dark = scheme === "dark";
    const theme: ChartTheme = {
      text: cssVar("--mantine-color-text", dark ? "#c9c9c9" : "#000"),
      dimmed: cssVar("--mantine-color-dimmed", dark ? "#828282" : "#868e96"),
      grid: dark ? "rgba(255,255,255,0.10)" : "rgba(0,0,0,0.08)",
      background: cssVar("--mantine-color-body", dark ? "#242424" : "#fff"),
    };
    import("./charts").then(
      ({ drawLineChart }) => {
        if (disposed) return;
        const chart = drawLineChart(el, series, unit, theme, max);
        const observer = new ResizeObserver(() => chart.resize());
        observer.observe(el);
        setDrawn(true);
        dispose = () => {
          observer.disconnect();
          chart.dispose();
        };
      },
      () => setFailed(true),
    );
    return () => {
      disposed = true;
      dispose?.();
    };
  }, [series, unit, max, scheme]);

  return (
    <Stack gap={2}>
      <Title order={6} fz="sm">
        {title}
      </Title>
      {failed ? (
        <Text fz="sm" c="red">
          The chart code could not be loaded; reload the page.
        </Text>
      ) : (
        <div style={{ position: "relative" }}>
          {!drawn && <Loader size="xs" style={{ position: "absolute", top: 8, left: 8 }} />}
          <div ref={ref} style={{ height: 180, width: "100%" }} role="img" aria-label={`${title} chart`} data-testid="metrics-chart" />
        </div>
      )}
    </Stack>
  );
}

/** CPU, memory and (where recorded) GPU use over the step's run. */
export function MetricsTab({ step }: { step: StepRun }) {
  const metrics = useMemo(() => toMetrics(step.resource_samples ?? []), [step.resource_samples]);
  const count = step.resource_samples?.length ?? 0;
  if (metrics.cpu.length === 0 && metrics.memory.length === 0 && metrics.gpuUtil.length === 0) {
    return (
      <Alert color="gray" title="No samples recorded" data-testid="metrics-empty">
        <Text fz="sm">{noSamplesReason(step.status, !!step.cached_from_step_run_id)}</Text>
      </Alert>
    );
  }
  return (
    <Stack gap="md" data-testid="metrics">
      <Text fz="xs" c="dimmed">
        {count} samples. CPU is the process's CPU time over wall time (100% = one core busy). Drag or scroll on a chart to zoom.
      </Text>
      {metrics.cpu.length > 0 && <LineChartBox title="CPU" series={metrics.cpu} unit="%" />}
      {metrics.memory.length > 0 && <LineChartBox title="Memory (RSS)" series={metrics.memory} unit="MB" />}
      {metrics.gpuUtil.length > 0 && <LineChartBox title="GPU utilisation" series={metrics.gpuUtil} unit="%" max={100} />}
      {metrics.gpuMemory.length > 0 && <LineChartBox title="GPU memory" series={metrics.gpuMemory} unit="MB" />}
    </Stack>
  );
}
