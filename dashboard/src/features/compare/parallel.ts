/** The parallel coordinates' ECharts option, built from plain columns so it can be tested and benchmarked alone. */
import type { ChartTheme } from "../artifacts/viz/charts";
import type { Brushes } from "./runCompare";

export interface Axis {
  /** The row id it shows (section:key), as the URL names it. */
  id: string;
  name: string;
  /** One value per run: a number, a category, or null. */
  values: readonly unknown[];
  numeric: boolean;
  log: boolean;
}

/** A numeric axis on a log scale needs every value above zero. */
export function canBeLog(axis: Pick<Axis, "values" | "numeric">): boolean {
  return axis.numeric && axis.values.some((v) => typeof v === "number") && axis.values.every((v) => v === null || v === undefined || (typeof v === "number" && v > 0));
}

/** The categories of a text axis, in a stable order (natural sort). */
export function categoriesOf(values: readonly unknown[]): string[] {
  const set = new Set<string>();
  for (const v of values) if (v !== null && v !== undefined) set.add(String(v));
  return [...set].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** A brush in the URL as ECharts draws it: categories become index intervals around each kept category. */
export function toIntervals(axis: Axis, ranges: Brushes[string]): [number, number][] {
  if (ranges.length === 0) return [];
  if (typeof ranges[0] !== "string") return ranges as [number, number][];
  const cats = categoriesOf(axis.values);
  return (ranges as string[])
    .map((c) => cats.indexOf(c))
    .filter((i) => i >= 0)
    .map((i) => [i - 0.4, i + 0.4] as [number, number]);
}

/** ECharts' intervals on an axis back into the URL's form: numbers kept, category indexes named. */
export function fromIntervals(axis: Axis, intervals: readonly (readonly number[])[]): [number, number][] | string[] {
  const clean = intervals.filter((r) => r.length === 2).map((r) => [Math.min(r[0]!, r[1]!), Math.max(r[0]!, r[1]!)] as [number, number]);
  if (axis.numeric) return clean.map(([a, b]) => [Number(a.toPrecision(8)), Number(b.toPrecision(8))] as [number, number]);
  const cats = categoriesOf(axis.values);
  return cats.filter((_, i) => clean.some(([lo, hi]) => i >= lo && i <= hi));
}

const LINE_COLORS = ["#1c7ed6", "#37b24d", "#f59f00", "#f03e3e"];

/**
 * The option for `axes` over `count` runs; `color` (an extra column) colours each line on a continuous scale.
 * Lines are drawn progressively, so ten thousand of them stay responsive while a brush moves.
 */
export function parallelOption(axes: readonly Axis[], count: number, names: readonly string[], color: Axis | undefined, theme: ChartTheme) {
  const cats = axes.map((a) => (a.numeric ? undefined : categoriesOf(a.values)));
  const colorIndex = axes.length;
  const data: (number | string | null)[][] = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const row: (number | string | null)[] = axes.map((a) => {
      const v = a.values[i];
      if (v === null || v === undefined) return null;
      return a.numeric ? (v as number) : String(v);
    });
    if (color) {
      const c = color.values[i];
      row.push(typeof c === "number" ? c : null);
    }
    data[i] = row;
  }
  const colorNumbers = color ? (color.values.filter((v) => typeof v === "number") as number[]) : [];
  const axisLine = { lineStyle: { color: theme.dimmed } };
  return {
    animation: false,
    backgroundColor: "transparent",
    textStyle: { color: theme.text },
    parallel: {
      left: 56,
      right: color ? 110 : 56,
      top: 48,
      bottom: 28,
      parallelAxisDefault: {
        nameLocation: "end",
        nameGap: 14,
        nameTextStyle: { color: theme.text, fontSize: 12 },
        axisLabel: { color: theme.dimmed },
        axisLine,
        areaSelectStyle: { width: 16, opacity: 0.35 },
        realtime: true,
      },
    },
    parallelAxis: axes.map((a, dim) => {
      const base = { id: a.id, dim, name: a.name.length > 28 ? `${a.name.slice(0, 27)}…` : a.name };
      if (!a.numeric) return { ...base, type: "category", data: cats[dim] };
      return { ...base, type: a.log && canBeLog(a) ? "log" : "value", scale: true };
    }),
    ...(color && colorNumbers.length
      ? {
          visualMap: {
            type: "continuous",
            dimension: colorIndex,
            min: Math.min(...colorNumbers),
            max: Math.max(...colorNumbers),
            right: 8,
            top: "middle",
            itemHeight: 160,
            calculable: false,
            text: [color.name.length > 16 ? `${color.name.slice(0, 15)}…` : color.name, ""],
            textStyle: { color: theme.text },
            inRange: { color: ["#4263eb", "#12b886", "#fab005", "#f03e3e"] },
            outOfRange: { color: theme.dimmed },
          },
        }
      : {}),
    series: [
      {
        type: "parallel",
        name: "runs",
        data,
        lineStyle: { width: count > 1000 ? 0.6 : 1.6, opacity: count > 1000 ? 0.35 : 0.8, ...(color ? {} : { color: LINE_COLORS[0] }) },
        inactiveOpacity: 0.04,
        activeOpacity: 1,
        progressive: 2000,
        progressiveThreshold: 3000,
        emphasis: { disabled: count > 1000 },
      },
    ],
    tooltip: count <= 1000 ? { trigger: "item", formatter: (p: { dataIndex: number }) => names[p.dataIndex] ?? "" } : undefined,
  };
}
