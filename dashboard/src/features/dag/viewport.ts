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
/** Below this zoom labels stop being readable; a big graph opens at this zoom instead of shrinking. */
export const READABLE_ZOOM = 0.55;
/** A graph of up to this many nodes always opens whole: seeing all of a small pipeline beats reading it. */
export const FIT_WHOLE_NODES = 60;

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

/** The node the view shows for `step`: the step itself or, while folded, its group. */
export function shownNodeOf(model: DagModel, step: string | undefined, has: (id: string) => boolean): string | undefined {
  if (!step) return undefined;
  if (has(step)) return step;
  const g = model.folding.groupOf.get(step);
  return g && has(g) ? g : undefined;
}
