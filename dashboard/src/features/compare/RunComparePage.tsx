import { ActionIcon, Alert, Anchor, Box, Button, Card, Group, Loader, Menu, MultiSelect, Select, Stack, Switch, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { useIntersection } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { Suspense, lazy, useEffect, useMemo, useState } from "react";

import { ApiError } from "../../api/client";
import { type ComparedRun, runCompareQueries } from "../../api/runCompare";
import { downloadCsv, toCsv } from "../../lib/csv";
import { CompareGrid } from "./CompareGrid";
import { type Axis, canBeLog } from "./parallel";
import { ParallelCoords } from "./ParallelCoords";
import { MAX_RUNS, type Row, type RowSort, axisCandidates, columnOrder, comparisonCsv, comparisonJson, defaultAxes, insideBrushes, isNumericAxis, differingCount, parseList, rowId, sortRows, visibleRows } from "./runCompare";

const route = getRouteApi("/compare");
// The chart's controls: at most two lines of axes (more scroll), so their height is known before they mount.
const PILLS_MAX_H = 48;
const CONTROLS_H = 88;
const CONTROLS_GAP = 10; // the controls' mb="xs"
const CHART_H = 360;
// Below the table, with its visualizations' code: loaded after the table has painted.
const ArtifactsAcross = lazy(() => import("./ArtifactsAcross").then((m) => ({ default: m.ArtifactsAcross })));
const NO_RUNS: ComparedRun[] = [];
const NO_ROWS: Row[] = [];

export const SECTION_LABELS: Record<string, string> = {
  run: "Run",
  parameters: "Parameters",
  metrics: "Metrics",
  metadata: "Metadata",
  steps: "Steps",
  artifacts: "Output artifacts",
  snapshot: "Pipeline snapshot",
};

function download(filename: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Mounts `children` once this box comes within a screen's height of the viewport: the outputs side by side
 * sit below the table, and their dozen artifact reads and visualizations wait until someone scrolls there.
 */
function WhenNear({ children, testId }: { children: React.ReactNode; testId: string }) {
  const { ref, entry } = useIntersection<HTMLDivElement>({ rootMargin: "0px 0px 100% 0px" });
  const [near, setNear] = useState(false);
  useEffect(() => {
    if (entry?.isIntersecting) setNear(true);
  }, [entry]);
  return near ? children : <div ref={ref} data-testid={testId} style={{ height: 120 }} />;
}

function Shell({ children, title }: { children: React.ReactNode; title: React.ReactNode }) {
  return (
    <Stack data-testid="run-compare-page" gap="sm">
      <Title order={2}>{title}</Title>
      {children}
    </Stack>
  );
}

/** Runs side by side: parallel coordinates over the attributes picked, and every attribute down a table, runs across. */
export function RunComparePage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const refs = useMemo(() => parseList(search.runs), [search.runs]);
  const compared = useQuery(runCompareQueries.compare(refs.slice(0, MAX_RUNS)));
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });

  const data = compared.data;
  const runs = data?.runs ?? NO_RUNS;
  const rows = (data?.rows as Row[] | undefined) ?? NO_ROWS;
  const base = Math.max(0, search.base ? runs.findIndex((r) => r.id === search.base || r.name === search.base) : 0);
  const names = useMemo(() => runs.map((r) => r.name), [runs]);

  // Parallel coordinates: the axes picked (or a few that vary), coloured by a metric, brushes from the URL.
  const candidates = useMemo(() => axisCandidates(rows), [rows]);
  const byId = useMemo(() => new Map(candidates.map((r) => [rowId(r), r])), [candidates]);
  const axisIds = useMemo(() => {
    const picked = parseList(search.axes).filter((id) => byId.has(id));
    return picked.length ? picked : defaultAxes(candidates);
  }, [search.axes, byId, candidates]);
  const logIds = useMemo(() => new Set(parseList(search.log)), [search.log]);
  const axes = useMemo<Axis[]>(
    () =>
      axisIds.map((id) => {
        const row = byId.get(id)!;
        return { id, name: row.key, values: row.values, numeric: isNumericAxis(row), log: logIds.has(id) };
      }),
    [axisIds, byId, logIds],
  );
  const colorRow = search.color ? byId.get(search.color) : undefined;
  const color = useMemo<Axis | undefined>(
    () => (colorRow && isNumericAxis(colorRow) ? { id: rowId(colorRow), name: colorRow.key, values: colorRow.values, numeric: true, log: false } : undefined),
    [colorRow],
  );
  const brushValues = useMemo(() => Object.fromEntries(axes.map((a) => [a.id, a.values])), [axes]);
  const inside = useMemo(() => insideBrushes(runs.length, brushValues, search.brush), [runs.length, brushValues, search.brush]);

  // The table: the runs within the brushes, sorted by a row if asked; rows filtered by name and differences.
  const orderRowId = search.order?.replace(/^-/, "");
  const orderRow = orderRowId ? rows.find((r) => rowId(r) === orderRowId) : undefined;
  const columns = useMemo(
    () => columnOrder(runs.length, orderRow, !!search.order?.startsWith("-")).filter((i) => inside[i] || i === base),
    [runs.length, orderRow, search.order, inside, base],
  );
  const shown = useMemo(
    () => sortRows(visibleRows(rows, { filter: search.rq, diffOnly: !!search.diff, base, columns }), search.rsort, base, columns),
    [rows, search.rq, search.diff, search.rsort, base, columns],
  );

  // The selects' options: hundreds of attributes (a closed select renders none, see App's theme).
  const axisData = useMemo(
    () =>
      Object.entries(
        candidates.reduce<Record<string, { value: string; label: string }[]>>((acc, r) => {
          (acc[SECTION_LABELS[r.section] ?? r.section] ??= []).push({ value: rowId(r), label: r.key });
          return acc;
        }, {}),
      ).map(([group, items]) => ({ group, items })),
    [candidates],
  );
  const colorData = useMemo(() => candidates.filter(isNumericAxis).map((r) => ({ value: rowId(r), label: r.key })), [candidates]);
  const runData = useMemo(() => runs.map((r) => ({ value: r.id, label: r.name })), [runs]);

  const differing = useMemo(() => rows.filter((r) => differingCount(r, base, columns) > 0).length, [rows, base, columns]);
  // The chart with its controls, and the outputs side by side, mount a frame after the table (in boxes of their
  // height): the table is what a comparison opens on, and a select of hundreds of attributes is not cheap.
  const [chartReady, setChartReady] = useState(false);
  useEffect(() => {
    if (!data) return;
    const id = requestAnimationFrame(() => setChartReady(true));
    return () => cancelAnimationFrame(id);
  }, [data]);

  if (refs.length < 2) {
    return (
      <Shell title="Compare runs">
        <Text c="dimmed">
          Pick at least two runs: tick them in the <Anchor renderRoot={(props) => <Link {...props} to="/runs" />}>runs list</Anchor> (shift-click ticks a range), then
          Compare. {refs.length === 1 ? "This link names one run only." : ""}
        </Text>
      </Shell>
    );
  }
  if (compared.error) {
    return (
      <Shell title="Compare runs">
        <Alert color="red" title="Could not compare the runs" role="alert">
          <Text fz="sm">{compared.error instanceof ApiError ? compared.error.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
        </Alert>
      </Shell>
    );
  }
  if (!data) return <Loader aria-label="Loading the comparison" />;

  const missing = [...(data.missing ?? []), ...(refs.length > MAX_RUNS ? [`${refs.length - MAX_RUNS} more (a comparison takes at most ${MAX_RUNS})`] : [])];
  const logOptions = axes.filter(canBeLog).map((a) => ({ value: a.id, label: a.name }));
  const brushed = search.brush ? Object.keys(search.brush).length : 0;
  const within = inside.filter(Boolean).length;
  const exportName = `compare-${runs.length}-runs`;

  return (
    <Shell title={runs.length >= 2 ? `Compare ${runs.length} runs` : "Compare runs"}>
      <Text fz="sm" c="dimmed" mt={-8} hidden={runs.length < 2}>
        {differing} of {rows.length} attributes differ from the baseline · tinted cells differ from the baseline · ★ the best value of a metric
      </Text>
      {missing.length > 0 && (
        <Alert color="yellow" data-testid="compare-missing" title="Left out">
          Not found, or not yours to read: {missing.join(", ")}
        </Alert>
      )}
      {runs.length < 2 && (
        <Alert color="yellow" data-testid="compare-too-few">
          {runs.length === 1 ? "Only one of these runs can be compared" : "None of these runs can be compared"}: pick two or more in the{" "}
          <Anchor inherit renderRoot={(props) => <Link {...props} to="/runs" />}>
            runs list
          </Anchor>
          .
        </Alert>
      )}
      {runs.length >= 2 && (
        <>

      <Card withBorder padding="sm" data-testid="parallel-card">
        {chartReady ? (
        <Group justify="space-between" align="flex-end" mb="xs" gap="xs" mih={CONTROLS_H} data-testid="parallel-controls">
          <Group gap="xs" align="flex-end">
            <MultiSelect
              label="Axes"
              w={420}
              size="xs"
              data={axisData}
              value={axisIds}
              searchable
              maxValues={20}
              styles={{ pillsList: { maxHeight: PILLS_MAX_H, overflowY: "auto" } }}
              onChange={(ids) => set({ axes: ids.join(",") || undefined, brush: undefined })}
              nothingFoundMessage="No such attribute"
            />
            <Select
              label="Colour by"
              size="xs"
              w={200}
              clearable
              searchable
              data={colorData}
              value={color ? color.id : null}
              onChange={(id) => set({ color: id ?? undefined })}
              placeholder="One colour"
            />
            <MultiSelect
              label="Log scale"
              size="xs"
              w={220}
              data={logOptions}
              value={[...logIds].filter((id) => logOptions.some((o) => o.value === id))}
              onChange={(ids) => set({ log: ids.join(",") || undefined })}
              placeholder={logOptions.length ? "Axes" : "No axis above zero"}
              disabled={!logOptions.length}
            />
          </Group>
          <Group gap="xs">
            <Text fz="sm" c="dimmed" data-testid="brush-summary">
              {brushed ? `${within} of ${runs.length} runs inside ${brushed} brush${brushed === 1 ? "" : "es"}` : "Drag along an axis to brush a range"}
            </Text>
            {brushed > 0 && (
              <Button size="xs" variant="default" onClick={() => set({ brush: undefined })}>
                Clear brushes
              </Button>
            )}
          </Group>
        </Group>
        ) : (
          <Box h={CONTROLS_H + CONTROLS_GAP + CHART_H} />
        )}
        {!chartReady ? null : axes.length >= 2 ? (
          <ParallelCoords
            height={CHART_H}
            axes={axes}
            count={runs.length}
            names={names}
            color={color}
            brushes={search.brush}
            onBrush={(brush) => set({ brush })}
            onPick={(i) => {
              const run = runs[i];
              if (run) void navigate({ to: "/runs/$runId", params: { runId: run.id } });
            }}
          />
        ) : (
          <Text c="dimmed" fz="sm" py="md">
            Pick two or more axes: parameters and metrics that vary across these runs.
          </Text>
        )}
      </Card>

      <Group justify="space-between" align="flex-end" gap="xs">
        <Group gap="xs" align="flex-end">
          <TextInput
            size="xs"
            w={220}
            label="Filter attributes"
            placeholder="e.g. lr, accuracy, train."
            value={search.rq ?? ""}
            onChange={(e) => set({ rq: e.currentTarget.value || undefined })}
          />
          <Select
            size="xs"
            w={220}
            label="Baseline"
            data={runData}
            value={runs[base]?.id ?? null}
            onChange={(id) => set({ base: id && id !== runs[0]?.id ? id : undefined })}
            allowDeselect={false}
          />
          <Select
            size="xs"
            w={240}
            label="Sort runs by"
            clearable
            searchable
            placeholder="As picked"
            data={axisData}
            value={orderRowId ?? null}
            onChange={(id) => set({ order: id ? (search.order?.startsWith("-") ? `-${id}` : id) : undefined })}
          />
          <Tooltip label={search.order?.startsWith("-") ? "Descending" : "Ascending"}>
            <ActionIcon
              variant="default"
              size="md"
              aria-label="Reverse the runs' order"
              disabled={!orderRowId}
              onClick={() => orderRowId && set({ order: search.order?.startsWith("-") ? orderRowId : `-${orderRowId}` })}
            >
              {search.order?.startsWith("-") ? "↓" : "↑"}
            </ActionIcon>
          </Tooltip>
          <Select
            size="xs"
            w={170}
            label="Rows"
            data={[
              { value: "", label: "By section" },
              { value: "name", label: "By name" },
              { value: "diff", label: "Most different first" },
            ]}
            value={search.rsort ?? ""}
            onChange={(v) => set({ rsort: v === "name" || v === "diff" ? (v as RowSort) : undefined })}
            allowDeselect={false}
          />
          <Switch label="Differences only" checked={!!search.diff} onChange={(e) => set({ diff: e.currentTarget.checked || undefined })} mb={4} />
        </Group>
        <Menu position="bottom-end" shadow="md" withArrow>
          <Menu.Target>
            <Button size="xs" variant="default">
              Export
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>The rows and runs shown</Menu.Label>
            <Menu.Item
              onClick={() => {
                const csv = comparisonCsv(names, columns, shown, base);
                downloadCsv(`${exportName}.csv`, toCsv(csv.header, csv.rows));
              }}
            >
              CSV
            </Menu.Item>
            <Menu.Item onClick={() => download(`${exportName}.json`, comparisonJson(runs, columns, shown, base), "application/json")}>JSON</Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
      {shown.length === 0 ? (
        <Text c="dimmed">{search.diff ? "These runs do not differ from the baseline here." : "No attribute matches this filter."}</Text>
      ) : (
        <CompareGrid runs={runs} columns={columns} rows={shown} base={base} sectionLabels={SECTION_LABELS} onBaseline={(i) => set({ base: i === 0 ? undefined : runs[i]?.id })} />
      )}
      {chartReady && (
        <WhenNear testId="artifacts-across-pending">
          <Suspense fallback={null}>
            <ArtifactsAcross rows={rows} runs={runs} columns={columns} picked={search.art} onPick={(art) => set({ art })} />
          </Suspense>
        </WhenNear>
      )}
        </>
      )}
    </Shell>
  );
}
