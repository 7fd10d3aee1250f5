import type { Viewport } from "@xyflow/react";

import type { LayoutResult } from "./layout";
import { SIZES } from "./layout";
import type { DagModel } from "./model";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The box around the given nodes (all of the model's, by default) in the given layout. */
export function boundsOf(model: DagModel, layout: LayoutResult, ids?: ReadonlySet<string>): Box | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of model.nodes) {
    if (ids && !ids.has(n.id)) continue;
    const p = layout.positions[n.id];
    if (!p) continue;
    const s = SIZES[n.kind];
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + s.width);
    y1 = Math.max(y1, p.y + s.height);
  }
  return x0 === Infinity ? undefined : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

const PAD = 24;
/** A step title's font size in the graph's own pixels (`.dag-name` in dag.css). */
export const TITLE_PX = 13;
/** The smallest on-screen size a step title may be drawn at. */
export const MIN_TITLE_SCREEN_PX = 11;
/**
 * Below this zoom step titles read smaller than 11 px: a graph is never opened (or re-centred)
 * smaller than this, whatever its size. A big graph opens on its start or its failing step instead.
 */
export const READABLE_ZOOM = Math.ceil((MIN_TITLE_SCREEN_PX / TITLE_PX) * 100) / 100;

/**
 * The viewport that shows `box` in a `width`×`height` pane: the whole box when it fits at
 * `minZoom` or more (centred), else its start (left, where a pipeline begins; top when too tall)
 * at `minZoom`.
 */
export function viewportFor(box: Box, width: number, height: number, maxZoom = 1, minZoom = READABLE_ZOOM): Viewport {
  const fit = Math.min((width - 2 * PAD) / Math.max(box.width, 1), (height - 2 * PAD) / Math.max(box.height, 1));
  const zoom = Math.max(minZoom, Math.min(fit, maxZoom));
  const w = box.width * zoom;
  const h = box.height * zoom;
  const x = w <= width - 2 * PAD ? (width - w) / 2 - box.x * zoom : PAD - box.x * zoom;
  const y = h <= height - 2 * PAD ? (height - h) / 2 - box.y * zoom : PAD - box.y * zoom;
  return { x, y, zoom };
}

/** The nodes of the first layer: those whose left edge is the graph's leftmost (layout is left to right). */
export function firstLayer(model: DagModel, layout: LayoutResult): Set<string> {
  let x0 = Infinity;
  for (const n of model.nodes) x0 = Math.min(x0, layout.positions[n.id]?.x ?? Infinity);
  const out = new Set<string>();
  // ELK aligns a layer's nodes on one x; a few pixels of slack cover rounding.
  for (const n of model.nodes) if ((layout.positions[n.id]?.x ?? Infinity) <= x0 + 4) out.add(n.id);
  return out;
}

/**
 * Where the DAG opens: the whole graph when it fits with titles still readable (≥ 11 px on
 * screen); otherwise, at the readable zoom, on `target` (a failed run's failing step) when there
 * is one, else on the graph's start (its first layer, at the left; its top when that is taller
 * than the pane). A fitted view of a 200-step graph draws its titles at 2 px, which shows the
 * shape and nothing else; the minimap shows the shape anyway.
 */
export function openingViewport(model: DagModel, layout: LayoutResult, width: number, height: number, target?: string): Viewport | undefined {
  const box = boundsOf(model, layout);
  if (!box) return undefined;
  const whole = viewportFor(box, width, height, 1, 0);
  if (whole.zoom >= READABLE_ZOOM) return whole;
  const zoom = READABLE_ZOOM;
  const at = target ? boundsOf(model, layout, new Set([target])) : undefined;
  if (at) return { x: width / 2 - (at.x + at.width / 2) * zoom, y: height / 2 - (at.y + at.height / 2) * zoom, zoom };
  const start = boundsOf(model, layout, firstLayer(model, layout)) ?? box;
  // The first layer's column, at the left edge and centred on its rows (their top when too tall).
  const y = start.height * zoom <= height - 2 * PAD ? height / 2 - (start.y + start.height / 2) * zoom : PAD - start.y * zoom;
  return { x: PAD - start.x * zoom, y, zoom };
}

/**
 * The smallest pan that brings `box` (graph coordinates) wholly into a `width`×`height` pane with
 * `margin` around it, at the viewport's zoom; undefined when it is in view already. Used when the
 * step panel opens beside the DAG and narrows it: the selected node must stay visible, left of
 * the panel, not under it or cut off at the pane's edge.
 */
export function panToShow(viewport: Viewport, box: Box, width: number, height: number, margin = 32): Viewport | undefined {
  const z = viewport.zoom;
  const shift = (from: number, size: number, span: number): number => {
    // `from` is the box's on-screen start, `size` its on-screen size, `span` the pane's size.
    if (size + 2 * margin > span) return span / 2 - (from + size / 2); // too big: centre it
    if (from < margin) return margin - from;
    if (from + size > span - margin) return span - margin - (from + size);
    return 0;
  };
  const dx = shift(viewport.x + box.x * z, box.width * z, width);
  const dy = shift(viewport.y + box.y * z, box.height * z, height);
  if (Math.abs(dx) < 0.5 && Math.abs(dy) < 0.5) return undefined;
  return { x: viewport.x + dx, y: viewport.y + dy, zoom: z };
}

/** The node the view shows for `step`: the step itself or, while folded, its group. */
export function shownNodeOf(model: DagModel, step: string | undefined, has: (id: string) => boolean): string | undefined {
  if (!step) return undefined;
  if (has(step)) return step;
  const g = model.folding.groupOf.get(step);
  return g && has(g) ? g : undefined;
}
