import { useEffect, useLayoutEffect, useState } from "react";

/** The clock, ticking once a second while `live` (so running bars grow), still otherwise. */
export function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    setNow(Date.now());
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, [live]);
  return now;
}

export interface Size {
  width: number;
  height: number;
  /** False until the element was laid out with a size (jsdom-like tests never are). */
  measured: boolean;
}

/** The inner size (without scrollbars) of a scroll container, measured before the first paint. */
export function useClientSize(element: HTMLElement | null, fallback: { width: number; height: number }): Size {
  const [size, setSize] = useState<Size>({ ...fallback, measured: false });
  useLayoutEffect(() => {
    if (!element) return;
    const measure = () => {
      const width = element.clientWidth;
      const height = element.clientHeight;
      if (width > 0 && height > 0) {
        setSize((s) => (s.measured && s.width === width && s.height === height ? s : { width, height, measured: true }));
      }
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(measure);
    ro.observe(element);
    return () => ro.disconnect();
  }, [element]);
  return size;
}
