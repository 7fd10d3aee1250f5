import { Kbd, Paper, Text, TextInput, UnstyledButton } from "@mantine/core";
import { type KeyboardEvent, useMemo, useState } from "react";

import type { GraphStep } from "../../api/graph";
import { stepColor } from "../../components/StepStatusBadge";
import { stepMatches } from "../timeline/filter";

const MAX = 8;

/** Steps whose name (or step function) contains the query, names that start with it first. */
export function findSteps(steps: readonly GraphStep[], query: string, max = MAX): GraphStep[] {
  const q = query.trim().toLowerCase();
  if (!q) return steps.slice(0, max);
  const starts: GraphStep[] = [];
  const contains: GraphStep[] = [];
  for (const s of steps) {
    if (s.name.toLowerCase().startsWith(q)) starts.push(s);
    else if (contains.length < max && stepMatches(s, q)) contains.push(s);
    if (starts.length >= max) break;
  }
  return [...starts, ...contains].slice(0, max);
}

/** The "find a step" box over the canvas: type, arrows to choose, Enter to go, Escape to close. */
export function FindStep({ steps, onPick, onClose }: {
  steps: readonly GraphStep[];
  onPick: (name: string) => void;
  /** `refocus`: give the keyboard back to the DAG (Escape), not when focus moved elsewhere (blur). */
  onClose: (refocus: boolean) => void;
}) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const hits = useMemo(() => findSteps(steps, query), [steps, query]);
  const current = Math.min(active, Math.max(hits.length - 1, 0));

  const onKeyDown = (e: KeyboardEvent) => {
    // Keys typed here are the box's own: never the canvas's shortcuts nor the app's.
    e.stopPropagation();
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = hits.length || 1;
      setActive((current + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const hit = hits[current];
      if (hit) onPick(hit.name);
    } else if (e.key === "Escape") {
      e.preventDefault();
      onClose(true);
    }
  };

  return (
    <Paper shadow="md" withBorder p={6} w={320} data-testid="dag-find" onKeyDown={onKeyDown}>
      <TextInput
        size="xs"
        autoFocus
        placeholder="Find a step by name"
        aria-label="Find a step by name"
        value={query}
        onChange={(e) => {
          setQuery(e.currentTarget.value);
          setActive(0);
        }}
        onBlur={(e) => {
          if (!e.currentTarget.closest("[data-testid=dag-find]")?.contains(e.relatedTarget as Node | null)) onClose(false);
        }}
        rightSection={<Kbd size="xs">Esc</Kbd>}
        rightSectionWidth={40}
      />
      {hits.length === 0 ? (
        <Text fz="xs" c="dimmed" p={6}>
          No step matches “{query}”.
        </Text>
      ) : (
        <div role="listbox" aria-label="Matching steps">
          {hits.map((s, i) => (
            <UnstyledButton
              key={s.name}
              role="option"
              aria-selected={i === current}
              display="block"
              w="100%"
              px={6}
              py={2}
              fz="xs"
              ff="monospace"
              bg={i === current ? "var(--mantine-primary-color-light)" : undefined}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => onPick(s.name)}
            >
              <span style={{ color: `var(--mantine-color-${stepColor(s.status ?? "pending")}-filled)` }}>●</span> {s.name}
              {s.step_name !== s.name && <span style={{ color: "var(--mantine-color-dimmed)" }}> · {s.step_name}</span>}
            </UnstyledButton>
          ))}
        </div>
      )}
    </Paper>
  );
}
