import { Box, Button, Group, Text, useComputedColorScheme } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type PointerEvent, useEffect, useRef, useState } from "react";

import { fetchViz, isPermanent, vizUrl } from "./api";
import { useVizReport } from "./hooks";
import { formatBytes } from "./parse";
import type { VizProps } from "./types";

type Zoom = "fit" | number;

/** The next zoom step up or down from `current` (a factor; 1 = 100%). */
export function stepZoom(current: number, direction: 1 | -1): number {
  const steps = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 16];
  if (direction > 0) return steps.find((s) => s > current + 1e-9) ?? steps[steps.length - 1] ?? current;
  return [...steps].reverse().find((s) => s < current - 1e-9) ?? steps[0] ?? current;
}

export function ImageViz({ version, viz, index }: VizProps) {
  const report = useVizReport();
  const [zoom, setZoom] = useState<Zoom>("fit");
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const img = useRef<HTMLImageElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number } | null>(null);
  const meta = viz.meta ?? {};
  const originalW = typeof meta.original_width === "number" ? meta.original_width : null;
  const originalH = typeof meta.original_height === "number" ? meta.original_height : null;

  // the zoom factor "fit" stands for, so +/- continue from what is on screen
  const current = (): number => {
    if (zoom !== "fit") return zoom;
    const el = img.current;
    return el && el.naturalWidth ? el.clientWidth / el.naturalWidth : 1;
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const el = box.current;
    if (!el || zoom === "fit") return;
    drag.current = { x: e.clientX, y: e.clientY, left: el.scrollLeft, top: el.scrollTop };
    el.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const el = box.current;
    const d = drag.current;
    if (!el || !d) return;
    el.scrollLeft = d.left - (e.clientX - d.x);
    el.scrollTop = d.top - (e.clientY - d.y);
  };
  const endDrag = () => {
    drag.current = null;
  };
  const pixels = natural ? `${natural.w.toLocaleString("en-US")} × ${natural.h.toLocaleString("en-US")} px` : "";
  const original = originalW && originalH && natural && (originalW !== natural.w || originalH !== natural.h) ? ` (original ${originalW.toLocaleString("en-US")} × ${originalH.toLocaleString("en-US")}, scaled down to store)` : "";
  return (
    <>
      <Group justify="space-between" mb={4} gap="xs">
        <Text fz="xs" c="dimmed" data-testid="viz-image-size">
          {pixels}
          {original} · {formatBytes(viz.size)} PNG · {zoom === "fit" ? "fit" : `${Math.round(zoom * 100)}%`}
        </Text>
        <Button.Group>
          <Button size="compact-xs" variant={zoom === "fit" ? "filled" : "default"} onClick={() => setZoom("fit")}>
            Fit
          </Button>
          <Button size="compact-xs" variant={zoom === 1 ? "filled" : "default"} onClick={() => setZoom(1)}>
            100%
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => setZoom(stepZoom(current(), -1))} aria-label="Zoom out">
            −
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => setZoom(stepZoom(current(), 1))} aria-label="Zoom in">
            +
          </Button>
        </Button.Group>
      </Group>
      <div
        ref={box}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        style={{
          maxHeight: 560,
          overflow: zoom === "fit" ? "hidden" : "auto",
          cursor: zoom === "fit" ? "default" : "grab",
          border: "1px solid var(--mantine-color-default-border)",
          borderRadius: 4,
          textAlign: zoom === "fit" ? "center" : undefined,
          // a checkerboard shows where an image is transparent
          background: "repeating-conic-gradient(light-dark(#eee, #333) 0% 25%, transparent 0% 50%) 50% / 16px 16px",
        }}
      >
        <img
          ref={img}
          src={vizUrl(version.id, index)}
          alt={viz.title ?? "artifact image"}
          draggable={false}
          onLoad={(e) => {
            setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight });
            report.ready();
          }}
          onError={() => report.fail("The image could not be loaded or decoded; its stored file may be missing or corrupt.")}
          style={
            zoom === "fit"
              ? { maxWidth: "100%", maxHeight: 556, display: "inline-block", imageRendering: "auto" }
              : { width: natural ? natural.w * zoom : undefined, maxWidth: "none", display: "block", imageRendering: zoom >= 2 ? "pixelated" : "auto" }
          }
        />
      </div>
    </>
  );
}

/**
 * HTML reports (Evidently and the like) run in an opaque-origin sandbox: `allow-scripts`
 * without `allow-same-origin` gives the document a unique origin, so it cannot read the
 * dashboard's cookies or storage, call the API with the user's session, or navigate the
 * top window. The server adds the same sandbox as a CSP header, in case the file is opened
 * directly.
 *
 * Dark mode: the frame around the document (border, padding, toolbar) follows the theme,
 * and the document is never restyled. The iframe takes the theme's `color-scheme` and no
 * background of its own, so the browser does what the document declares: one that says it
 * supports dark (`<meta name="color-scheme" content="light dark">`) is drawn dark on the
 * frame's surface; one that says nothing gets its own opaque white page, as its author
 * wrote it (forcing it dark would hide text colored for white). A white iframe background,
 * as before, made a dark-capable document's light text invisible.
 */
export function HtmlViz({ version, viz, index }: VizProps) {
  const report = useVizReport();
  const scheme = useComputedColorScheme("light");
  // an iframe can't tell us its load failed, so a 1-byte range read checks the file is there first
  const probe = useQuery({
    queryKey: ["artifact-viz", version.id, index, "probe"],
    queryFn: async ({ signal }) => {
      const response = await fetchViz(version.id, index, signal, { Range: "bytes=0-0" });
      await response.body?.cancel();
      return true;
    },
    staleTime: Infinity,
    retry: false,
  });
  const [height, setHeight] = useState(480);
  useEffect(() => {
    if (probe.error) report.fail(probe.error.message, isPermanent(probe.error));
  }, [probe.error, report]);
  if (!probe.data) return <Text fz="sm" c="dimmed">{probe.error ? "" : "Loading…"}</Text>;
  return (
    <>
      <Group justify="space-between" mb={4}>
        <Text fz="xs" c="dimmed">
          HTML · {formatBytes(viz.size)} · runs isolated from the dashboard
        </Text>
        <Button.Group>
          <Button size="compact-xs" variant="default" onClick={() => setHeight((h) => Math.max(240, h - 240))}>
            Shorter
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => setHeight((h) => h + 240)}>
            Taller
          </Button>
        </Button.Group>
      </Group>
      <Box
        data-testid="viz-html-frame"
        p={4}
        style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 6, background: "var(--mantine-color-body)" }}
      >
        <iframe
          title={viz.title ?? "HTML report"}
          src={vizUrl(version.id, index)}
          sandbox="allow-scripts"
          referrerPolicy="no-referrer"
          onLoad={() => report.ready()}
          data-testid="viz-iframe"
          data-color-scheme={scheme}
          // No background: see above. The browser paints a white page under a document that does not declare dark.
          style={{ display: "block", width: "100%", height, border: 0, borderRadius: 3, colorScheme: scheme, background: "transparent" }}
        />
      </Box>
    </>
  );
}
