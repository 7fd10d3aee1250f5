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

    // Two fingers: their horizontal spread sets the zoom. One finger still scrolls natively.
    let spread = 0;
    const spreadOf = (e: TouchEvent) => {
      const [a, b] = [e.touches[0], e.touches[1]];
      return a && b ? { width: Math.abs(a.clientX - b.clientX), mid: (a.clientX + b.clientX) / 2 } : null;
    };
    const onTouchStart = (e: TouchEvent) => {
      spread = spreadOf(e)?.width ?? 0;
    };
    const onTouchMove = (e: TouchEvent) => {
      const now = spreadOf(e);
      if (!now) return;
      e.preventDefault();
      if (spread > 20 && now.width > 20) zoomAt.current(now.width / spread, anchorOf(now.mid));
      spread = now.width;
    };
    const onTouchEnd = (e: TouchEvent) => {
      spread = spreadOf(e)?.width ?? 0;
    };

    scroller.addEventListener("wheel", onWheel, { passive: false });
    scroller.addEventListener("touchstart", onTouchStart, { passive: true });
    scroller.addEventListener("touchmove", onTouchMove, { passive: false });
    scroller.addEventListener("touchend", onTouchEnd);
    scroller.addEventListener("touchcancel", onTouchEnd);
    return () => {
      scroller.removeEventListener("wheel", onWheel);
      scroller.removeEventListener("touchstart", onTouchStart);
      scroller.removeEventListener("touchmove", onTouchMove);
      scroller.removeEventListener("touchend", onTouchEnd);
      scroller.removeEventListener("touchcancel", onTouchEnd);
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
