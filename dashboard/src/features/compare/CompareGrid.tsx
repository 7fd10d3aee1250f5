import { Anchor, Badge, Box, Group, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef } from "react";

import type { ExecutionStatus } from "../../api/runs";
import { StatusBadge } from "../../components/StatusBadge";
import { formatValue } from "../runs/columns";
import "./grid.css";
import { type Row, cellText, differsFrom } from "./runCompare";

export interface GridRun {
  id: string;
  name: string;
  pipeline_name: string;
  status: ExecutionStatus;
}

interface Props {
  runs: readonly GridRun[];
  /** The runs shown, as indexes into `runs`, in column order. */
  columns: readonly number[];
  rows: readonly Row[];
  base: number;
  sectionLabels: Record<string, string>;
  onBaseline: (index: number) => void;
}

// Row height, header height, name column and run column widths (grid.css draws rows and cells at these sizes).
const ROW = 30;
const HEAD = 68;
const NAME = 260;
const COL = 184;
const BORDER = "1px solid var(--mantine-color-default-border)";

type Item = { kind: "section"; section: string; count: number } | { kind: "row"; row: Row; differs: boolean[] };

/**
 * Attributes down, runs across, drawn virtually in both directions: only the cells in view exist, so a
 * hundred runs by hundreds of attributes scroll as smoothly as ten. The attribute names and the run
 * headers stay in place while the cells scroll.
 */
export function CompareGrid({ runs, columns, rows, base, sectionLabels, onBaseline }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const items = useMemo<Item[]>(() => {
    const out: Item[] = [];
    let section: string | undefined;
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.section, (counts.get(row.section) ?? 0) + 1);
    for (const row of rows) {
      if (row.section !== section) {
        section = row.section;
        out.push({ kind: "section", section, count: counts.get(section) ?? 0 });
      }
      out.push({ kind: "row", row, differs: differsFrom(row, base) });
    }
    return out;
  }, [rows, base]);
  const vRows = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 6, scrollMargin: HEAD });
  const vCols = useVirtualizer({ horizontal: true, count: columns.length, getScrollElement: () => scroller.current, estimateSize: () => COL, overscan: 1, scrollMargin: NAME });
  const width = NAME + columns.length * COL;
  const height = HEAD + items.length * ROW;
  const cols = vCols.getVirtualItems();

  return (
    <Box
      ref={scroller}
      data-testid="compare-table"
      style={{ height: `min(72vh, ${height + 2}px)`, overflow: "auto", border: BORDER, borderRadius: 4, position: "relative", contain: "strict" }}
      tabIndex={0}
      aria-label="Runs compared: attributes down, runs across"
    >
      <div style={{ width, height, position: "relative" }}>
        <div role="row" style={{ position: "sticky", top: 0, zIndex: 3, height: HEAD, width, background: "var(--mantine-color-body)", borderBottom: BORDER }}>
          <div style={{ position: "sticky", left: 0, zIndex: 4, width: NAME, height: HEAD, background: "var(--mantine-color-body)", borderRight: BORDER, padding: "8px 10px" }}>
            <Text fz="xs" c="dimmed" fw={700} tt="uppercase">
              Attribute
            </Text>
            <Text fz="xs" c="dimmed">
              {rows.length} row{rows.length === 1 ? "" : "s"} · {columns.length} run{columns.length === 1 ? "" : "s"}
            </Text>
          </div>
          {cols.map((c) => {
            const index = columns[c.index]!;
            const run = runs[index]!;
            return (
              <div
                key={run.id}
                data-testid="compare-run"
                data-run={run.name}
                style={{ position: "absolute", top: 0, left: c.start, width: COL, height: HEAD, padding: "6px 8px", borderRight: BORDER, overflow: "hidden" }}
              >
                <Anchor fz="sm" fw={700} truncate="end" display="block" title={run.name} renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: run.id }} />}>
                  {run.name}
                </Anchor>
                <Group gap={4} wrap="nowrap" mt={2}>
                  <StatusBadge status={run.status} />
                  {index === base ? (
                    <Badge size="xs" variant="filled" color="gray" data-testid="baseline-badge">
                      baseline
                    </Badge>
                  ) : (
                    <>
                      <UnstyledButton fz="xs" c="dimmed" onClick={() => onBaseline(index)} aria-label={`Make ${run.name} the baseline`}>
                        set baseline
                      </UnstyledButton>
                      <Anchor fz="xs" aria-label={`Structural diff of ${run.name} against the baseline`} renderRoot={(props) => <Link {...props} to="/compare/diff" search={{ before: runs[base]?.id, after: run.id }} />}>
                        diff
                      </Anchor>
                    </>
                  )}
                </Group>
                <Text fz="xs" c="dimmed" truncate="end" title={run.pipeline_name}>
                  {run.pipeline_name}
                </Text>
              </div>
            );
          })}
        </div>
        {vRows.getVirtualItems().map((v) => {
          const item = items[v.index]!;
          const top = v.start;
          if (item.kind === "section") {
            return (
              <div key={`s-${item.section}`} data-testid="compare-section" style={{ position: "absolute", top, left: 0, width, height: ROW, background: "var(--mantine-color-default-hover)", borderBottom: BORDER }}>
                <Text fz="xs" fw={700} tt="uppercase" c="dimmed" style={{ position: "sticky", left: 0, display: "inline-block", padding: "0 10px", lineHeight: `${ROW}px` }}>
                  {sectionLabels[item.section] ?? item.section} · {item.count}
                </Text>
              </div>
            );
          }
          const { row, differs } = item;
          const anyDiffers = columns.some((i) => differs[i]);
          return (
            <div key={`${row.section}:${row.key}`} role="row" data-testid="compare-row" data-key={row.key} data-section={row.section} className="cmp-row" style={{ top, width }}>
              <div
                className="cmp-name"
                title={`${row.key} (${row.kind}${row.lower_is_better === true ? ", lower is better" : row.lower_is_better === false ? ", higher is better" : ""})`}
              >
                <span className={anyDiffers ? "cmp-name-text cmp-name-differs" : "cmp-name-text"}>
                  {row.key}
                </span>
                {row.kind === "mixed" && (
                  <Tooltip label="Numbers in some runs, text in others: compared as text, no best value">
                    <Badge size="xs" color="orange" variant="light">
                      mixed
                    </Badge>
                  </Tooltip>
                )}
              </div>
              {cols.map((c) => {
                const index = columns[c.index]!;
                const value = row.values[index];
                const full = typeof value === "number" ? formatValue(value) : cellText(value);
                const best = row.best === index;
                const differ = differs[index] ?? false;
                return (
                  <div
                    key={index}
                    className="cmp-cell"
                    data-differs={differ || undefined}
                    data-best={best || undefined}
                    data-number={typeof value === "number" || undefined}
                    title={full}
                    style={{ left: c.start }}
                  >
                    {value === null || value === undefined ? <span className="cmp-missing">—</span> : full}
                    {best && (
                      <span aria-label="best" className="cmp-star">
                        ★
                      </span>
                    )}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </Box>
  );
}
