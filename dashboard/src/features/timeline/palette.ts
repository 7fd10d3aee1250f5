import type { StepStatus } from "../../api/graph";
import { STATUS_COLORS } from "../../components/StatusBadge";
import { stepColor } from "../../components/StepStatusBadge";

/** The colours the canvas paints with, resolved from the Mantine theme (so dark mode follows). */
export interface Palette {
  text: string;
  dimmed: string;
  border: string;
  body: string;
  /** A row's background when hovered, and when selected. */
  hover: string;
  selected: string;
  /** The critical path's outline. */
  critical: string;
  /** Per status: the bar's fill and a light tint (cached bars, the running bar's tail). */
  fill: Record<StepStatus, string>;
  light: Record<StepStatus, string>;
  /** The page's font family, for canvas text. */
  font: string;
}

const STATUSES = [...(Object.keys(STATUS_COLORS) as StepStatus[]), "pending" as const];

/**
 * Resolve CSS colours (variables, light-dark()) to what a canvas understands, by letting the
 * browser compute them on a hidden probe inside `host` (so the host's colour scheme applies).
 */
export function resolvePalette(host: HTMLElement): Palette {
  const probe = document.createElement("span");
  probe.style.display = "none";
  host.appendChild(probe);
  const css = (value: string, fallback: string): string => {
    probe.style.color = "";
    probe.style.color = value;
    const got = getComputedStyle(probe).color;
    return got || fallback;
  };
  try {
    const fill = {} as Record<StepStatus, string>;
    const light = {} as Record<StepStatus, string>;
    for (const s of STATUSES) {
      const c = stepColor(s);
      fill[s] = css(`var(--mantine-color-${c}-filled)`, "#868e96");
      light[s] = css(`var(--mantine-color-${c}-light)`, "rgba(134,142,150,0.15)");
    }
    return {
      text: css("var(--mantine-color-text)", "#333"),
      dimmed: css("var(--mantine-color-dimmed)", "#868e96"),
      border: css("var(--mantine-color-default-border)", "#ddd"),
      body: css("var(--mantine-color-body)", "#fff"),
      hover: css("var(--mantine-color-default-hover)", "rgba(0,0,0,0.04)"),
      selected: css("var(--mantine-primary-color-light)", "rgba(34,139,230,0.12)"),
      critical: css("light-dark(var(--mantine-color-orange-7), var(--mantine-color-yellow-4))", "#f08c00"),
      fill,
      light,
      font: getComputedStyle(host).fontFamily || "sans-serif",
    };
  } finally {
    probe.remove();
  }
}
