import { type MouseEvent as ReactMouseEvent, type RefObject, useCallback, useEffect, useRef } from "react";

/** Zoom by `factor` keeping the time under `anchor` (px from the chart's left edge) in place. */
export type ZoomAt = (factor: number, anchor: number) => void;

/**
 * Ctrl/⌘-wheel (also what a trackpad pinch sends) and two-finger touch pinch zoom the chart around
 * the pointer; a plain wheel still scrolls. Listeners are not passive so the page itself does not zoom.
 */
export function useZoomGestures(scroller: HTMLElement | null, chartLeft: RefObject<number>, zoomAt: RefObject<ZoomAt>) {
  useEffect(() => {
    if (!scroller) return;
    const anchorOf = (clientX: number) => clientX - scroller.getBoundingClientRect().left - chartLeft.current;

    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      zoomAt.current(Math.exp(-e.deltaY * lines * 0.002), anchorOf(e.clientX));
    };

    const touches = new Map<number, number>();
    let spread = 0;
    const spreadOf = () => {
      const [a, b] = [...touches.values()];
      return a !== undefined && b !== undefined ? Math.abs(a - b) : 0;
    };
    const onDown = (e: PointerEvent) => {
      if (e.pointerType !== "touch") return;
      touches.set(e.pointerId, e.clientX);
      spread = spreadOf();
    };
    const onMove = (e: PointerEvent) => {
      if (!touches.has(e.pointerId)) return;
      touches.set(e.pointerId, e.clientX);
      const next = spreadOf();
      if (spread > 20 && next > 20) {
        const [a = 0, b = 0] = [...touches.values()];
        zoomAt.current(next / spread, anchorOf((a + b) / 2));
      }
      spread = next;
    };
    const onUp = (e: PointerEvent) => {
      touches.delete(e.pointerId);
      spread = spreadOf();
    };

    scroller.addEventListener("wheel", onWheel, { passive: false });
    scroller.addEventListener("pointerdown", onDown);
    scroller.addEventListener("pointermove", onMove);
    scroller.addEventListener("pointerup", onUp);
    scroller.addEventListener("pointercancel", onUp);
    return () => {
      scroller.removeEventListener("wheel", onWheel);
      scroller.removeEventListener("pointerdown", onDown);
      scroller.removeEventListener("pointermove", onMove);
      scroller.removeEventListener("pointerup", onUp);
      scroller.removeEventListener("pointercancel", onUp);
    };
  }, [scroller, chartLeft, zoomAt]);
}

/**
 * Drag the chart to pan it (the way maps and profilers move), while a click without movement still
 * selects. Returns the mousedown handler and whether the last press turned into a drag.
 */
export function useDragPan(scroller: HTMLElement | null) {
  const dragged = useRef(false);
  const onMouseDown = useCallback(
    (e: ReactMouseEvent) => {
      if (e.button !== 0 || !scroller) return;
      const start = { x: e.clientX, y: e.clientY, left: scroller.scrollLeft, top: scroller.scrollTop };
      dragged.current = false;
      const move = (m: MouseEvent) => {
        const dx = m.clientX - start.x;
        const dy = m.clientY - start.y;
        if (!dragged.current && Math.abs(dx) + Math.abs(dy) < 5) return;
        dragged.current = true;
        scroller.style.cursor = "grabbing";
        scroller.scrollLeft = start.left - dx;
        scroller.scrollTop = start.top - dy;
      };
      const up = () => {
        scroller.style.cursor = "";
        window.removeEventListener("mousemove", move);
        window.removeEventListener("mouseup", up);
      };
      window.addEventListener("mousemove", move);
      window.addEventListener("mouseup", up);
    },
    [scroller],
  );
  return { onMouseDown, dragged };
}
