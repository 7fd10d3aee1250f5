import { Alert, Anchor, Box, Card, Group, SegmentedControl, Select, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";

import { artifactQueries } from "../../api/artifacts";
import { fetchVizJson } from "../artifacts/viz/api";
import { useChartTheme, useEChart } from "../artifacts/viz/hooks";
import { type ChartData, parseChart } from "../artifacts/viz/parse";
import type { ArtifactVersion } from "../artifacts/viz/types";
import { VisualizationView } from "../artifacts/viz/VisualizationView";
import { type Row, cellText } from "./runCompare";

/** The most runs whose outputs are drawn side by side at once (the first in the table's order). */
export const MAX_SIDE_BY_SIDE = 12;

interface RunRef {
  id: string;
  name: string;
}

/** The artifact version id a cell of the artifacts section names, if any. */
export function versionIdOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const cell = value as { artifact_version_id?: unknown; id?: unknown };
  const id = cell.artifact_version_id ?? cell.id;
  return typeof id === "string" ? id : undefined;
}

function Overlay({ versions, names }: { versions: readonly ArtifactVersion[]; names: readonly string[] }) {
  const theme = useChartTheme();
  const charts = useQueries({
    queries: versions.map((v) => {
      const index = v.visualizations.findIndex((z) => String(z.type) === "chart");
      return {
        queryKey: ["artifact-viz", v.id, index, "json"],
        queryFn: ({ signal }: { signal: AbortSignal }) => fetchVizJson(v.id, index, signal),
        staleTime: Infinity,
        retry: false,
      };
    }),
  });
  const series = useMemo(() => {
    const out: { name: string; x: number[]; y: (number | null)[] }[] = [];
    charts.forEach((q, i) => {
      if (q.data === undefined) return;
      try {
        const data: ChartData = parseChart(q.data);
        out.push({ name: names[i] ?? String(i), x: data.x, y: data.y });
      } catch {
        // a corrupt chart is left out of the overlay; its own view says why
      }
    });
    return out;
  }, [charts, names]);
  const loading = charts.some((q) => q.isPending);
  const draw = useMemo(() => (!loading && series.length ? (c: typeof import("../artifacts/viz/charts"), el: HTMLElement) => c.drawOverlay(el, series, theme) : null), [loading, series, theme]);
  const { ref } = useEChart(draw);
  return (
    <Stack gap={4}>
      <Text fz="xs" c="dimmed">
        {loading ? "Loading…" : `${series.length} run${series.length === 1 ? "" : "s"} on one pair of axes`}
      </Text>
      <div ref={ref} style={{ height: 360, width: "100%" }} data-testid="overlay-chart" />
    </Stack>
  );
}

/**
 * One output of several runs side by side: each run's stored visualizations (tables' statistics, images,
 * confusion matrices, reports), or, when every one is a chart, all of them overlaid on one axis.
 */
export function ArtifactsAcross({ rows, runs, columns, picked, onPick }: { rows: readonly Row[]; runs: readonly RunRef[]; columns: readonly number[]; picked: string | undefined; onPick: (key: string | undefined) => void }) {
  const outputs = useMemo(() => rows.filter((r) => r.section === "artifacts" && r.values.some((v) => versionIdOf(v))), [rows]);
  const row = outputs.find((r) => r.key === picked) ?? outputs[0];
  const shown = useMemo(() => (row ? columns.filter((i) => versionIdOf(row.values[i])).slice(0, MAX_SIDE_BY_SIDE) : []), [row, columns]);
  const versions = useQueries({ queries: shown.map((i) => artifactQueries.version(versionIdOf(row!.values[i])!)) });
  const [mode, setMode] = useState<"side" | "overlay">("side");
  if (!row) return null;
  const loaded = versions.map((q) => q.data).filter((v): v is ArtifactVersion => !!v);
  const allCharts = loaded.length === shown.length && loaded.length > 1 && loaded.every((v) => v.visualizations.some((z) => String(z.type) === "chart"));
  const names = shown.map((i) => runs[i]?.name ?? "");
  const withValue = columns.filter((i) => versionIdOf(row.values[i])).length;

  return (
    <Card withBorder padding="sm" data-testid="artifacts-across">
      <Group justify="space-between" mb="xs">
        <Group gap="xs" align="flex-end">
          <Select
            label="Output side by side"
            size="xs"
            w={280}
            searchable
            data={outputs.map((r) => r.key)}
            value={row.key}
            onChange={(key) => onPick(key ?? undefined)}
            allowDeselect={false}
          />
          {allCharts && (
            <SegmentedControl
              size="xs"
              value={mode}
              onChange={(v) => setMode(v === "overlay" ? "overlay" : "side")}
              data={[
                { value: "side", label: "Side by side" },
                { value: "overlay", label: "Overlaid" },
              ]}
              aria-label="How the charts are drawn"
            />
          )}
        </Group>
        <Text fz="xs" c="dimmed">
          {withValue > shown.length ? `The first ${shown.length} of ${withValue} runs in the table's order` : `${shown.length} run${shown.length === 1 ? "" : "s"}`}
        </Text>
      </Group>
      {versions.some((q) => q.error) && <Alert color="red">Some outputs could not be read; the others are shown.</Alert>}
      {allCharts && mode === "overlay" ? (
        <Overlay versions={loaded} names={names} />
      ) : (
        <SimpleGrid cols={{ base: 1, md: shown.length > 1 ? 2 : 1, xl: shown.length > 2 ? 3 : shown.length }} spacing="sm">
          {shown.map((i, n) => {
            const version = versions[n]?.data;
            return (
              <Stack key={i} gap={6} data-testid="artifact-side" style={{ minWidth: 0 }}>
                <div>
                  <Text fz="sm" fw={600} truncate="end">
                    {runs[i]?.name}
                  </Text>
                  {version ? (
                    <Anchor fz="xs" ff="monospace" renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact: version.artifact_id }} search={{ version: version.version }} />}>
                      {version.name} v{version.version} · {cellText(row.values[i])}
                    </Anchor>
                  ) : (
                    <Text fz="xs" c="dimmed">
                      Loading…
                    </Text>
                  )}
                </div>
                {version && version.visualizations.length === 0 && (
                  <Text fz="sm" c="dimmed">
                    No stored visualization.
                  </Text>
                )}
                {version?.visualizations.slice(0, 2).map((viz, index) => (
                  <Box key={index} mt={28}>
                    <VisualizationView version={version} viz={viz} index={index} />
                  </Box>
                ))}
              </Stack>
            );
          })}
        </SimpleGrid>
      )}
    </Card>
  );
}
