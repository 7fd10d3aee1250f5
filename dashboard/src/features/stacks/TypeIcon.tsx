import { ThemeIcon } from "@mantine/core";
import type { ReactNode } from "react";

import type { ComponentType } from "../../api/stacks";

/** A line drawing per component type (24×24, stroked), and the colour its cards use. */
const ICONS: Record<ComponentType, { color: string; path: ReactNode }> = {
  orchestrator: {
    color: "indigo",
    path: (
      <>
        <circle cx="12" cy="5" r="2.5" />
        <circle cx="5" cy="19" r="2.5" />
        <circle cx="19" cy="19" r="2.5" />
        <path d="M12 7.5v4M12 11.5 6 16.5M12 11.5l6 5" />
      </>
    ),
  },
  artifact_store: {
    color: "teal",
    path: (
      <>
        <ellipse cx="12" cy="5.5" rx="7" ry="2.5" />
        <path d="M5 5.5v13c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5v-13M5 12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5" />
      </>
    ),
  },
  container_registry: { color: "cyan", path: <path d="M3 8l9-5 9 5v8l-9 5-9-5zM3 8l9 5 9-5M12 13v8" /> },
  step_operator: {
    color: "orange",
    path: (
      <>
        <rect x="6" y="6" width="12" height="12" rx="1.5" />
        <path d="M9 2v4M15 2v4M9 18v4M15 18v4M2 9h4M2 15h4M18 9h4M18 15h4" />
      </>
    ),
  },
  experiment_tracker: { color: "grape", path: <path d="M3 20h18M6 16l4-5 4 3 5-7" /> },
  alerter: { color: "yellow", path: <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0" /> },
  model_deployer: { color: "pink", path: <path d="M12 3v12M7 8l5-5 5 5M4 15v5h16v-5" /> },
  data_validator: { color: "lime", path: <path d="M12 3l8 3v6c0 4.5-3.5 8-8 9-4.5-1-8-4.5-8-9V6zM8.5 12l2.5 2.5 4.5-5" /> },
};

export const typeColor = (type: ComponentType) => ICONS[type]?.color ?? "gray";

export function TypeIcon({ type, size = 28 }: { type: ComponentType; size?: number }) {
  const icon = ICONS[type];
  return (
    <ThemeIcon variant="light" color={icon?.color ?? "gray"} size={size} radius="sm" aria-hidden>
      <svg width={size * 0.64} height={size * 0.64} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        {icon?.path}
      </svg>
    </ThemeIcon>
  );
}
