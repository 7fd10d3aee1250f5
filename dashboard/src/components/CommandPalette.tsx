import { Badge, Group, Kbd, Loader, Modal, ScrollArea, Stack, Text, TextInput, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMatch, useNavigate } from "@tanstack/react-router";
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";

import { artifactQueries } from "../api/artifacts";
import { api, unwrap } from "../api/client";
import { graphQueries } from "../api/graph";
import { pipelineQueries } from "../api/pipelines";
import type { ExecutionStatus } from "../api/runs";
import { quoteValue } from "../lib/filter";
import { moveIndex, rankItems } from "./paletteSearch";
import { StatusBadge } from "./StatusBadge";

export interface PaletteItem {
  id: string;
  group: "Pages" | "Steps of this run" | "Pipelines" | "Artifacts" | "Runs";
  label: string;
  hint?: string;
  status?: ExecutionStatus | null;
  go: () => void;
}

const PER_GROUP = 8;
const NO_NAMES: string[] = [];
const NO_ITEMS: PaletteItem[] = [];
const UUID_PREFIX = /^[0-9a-f]{8}(-[0-9a-f]{0,4}){0,4}[0-9a-f-]*$/i;

/** Runs whose name contains `text` (or whose id it is), newest first; asked of the server as one types. */
function useRunSearch(text: string, enabled: boolean) {
  const [debounced] = useDebouncedValue(text.trim(), 200);
  return useQuery({
    queryKey: ["runs", "palette", debounced],
    queryFn: async ({ signal }) => {
      const q = UUID_PREFIX.test(debounced) && debounced.length === 36 ? `id:${debounced}` : `name~${quoteValue(debounced)}`;
      return unwrap(await api.GET("/api/v1/runs", { params: { query: { q, sort: "-created", size: PER_GROUP } }, signal })).items;
    },
    enabled: enabled && debounced.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

/** Jump to any page, pipeline, artifact, run, or a step of the run on screen: Ctrl/⌘-K, type, ↑/↓, Enter. */
export function CommandPalette({ opened, onClose, onShortcuts }: { opened: boolean; onClose: () => void; onShortcuts: () => void }) {
  const [text, setText] = useState("");
  const [index, setIndex] = useState(0);
  const navigate = useNavigate();
  const runMatch = useMatch({ from: "/runs/$runId", shouldThrow: false });
  const runId = runMatch?.params.runId;
  const runSearch = runMatch?.search;
  const names = useQuery({ ...pipelineQueries.names(), enabled: opened });
  const artifactNames = useQuery({ ...artifactQueries.names(), enabled: opened });
  const graph = useQuery({ ...graphQueries.detail(runId ?? ""), enabled: opened && runId !== undefined });
  const runs = useRunSearch(text, opened);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (opened) {
      setText("");
      setIndex(0);
    }
  }, [opened]);

  // Built only while shown (open, or fading out after a pick): on a 10,000-step run the steps alone are
  // 10,000 items, which a closed palette rebuilt on every load and update of the graph.
  const [shown, setShown] = useState(opened);
  if (opened && !shown) setShown(true);
  const items = useMemo(() => {
    if (!shown) return NO_ITEMS;
    const done = (go: () => void) => () => {
      onClose();
      go();
    };
    const pages: PaletteItem[] = [
      { id: "page:runs", group: "Pages", label: "Runs", hint: "g r", go: done(() => void navigate({ to: "/runs" })) },
      { id: "page:pipelines", group: "Pages", label: "Pipelines", hint: "g p", go: done(() => void navigate({ to: "/pipelines" })) },
      { id: "page:artifacts", group: "Pages", label: "Artifacts", hint: "g a", go: done(() => void navigate({ to: "/artifacts" })) },
      { id: "page:shortcuts", group: "Pages", label: "Keyboard shortcuts", hint: "?", go: done(onShortcuts) },
    ];
    const steps: PaletteItem[] =
      runId && graph.data
        ? graph.data.steps.map((s) => ({
            id: `step:${s.name}`,
            group: "Steps of this run" as const,
            label: s.name,
            status: s.status ?? null,
            go: done(() => void navigate({ to: "/runs/$runId", params: { runId }, search: { ...runSearch, step: s.name, line: undefined, logq: undefined } })),
          }))
        : [];
    const pipelines: PaletteItem[] = (names.data ?? NO_NAMES).map((name) => ({
      id: `pipeline:${name}`,
      group: "Pipelines",
      label: name,
      go: done(() => void navigate({ to: "/pipelines/$pipeline", params: { pipeline: name } })),
    }));
    const artifacts: PaletteItem[] = (artifactNames.data ?? NO_NAMES).map((name) => ({
      id: `artifact:${name}`,
      group: "Artifacts",
      label: name,
      go: done(() => void navigate({ to: "/artifacts/$artifact", params: { artifact: name } })),
    }));
    const found: PaletteItem[] = text.trim()
      ? (runs.data ?? []).map((r) => ({
          id: `run:${r.id}`,
          group: "Runs" as const,
          label: r.name,
          hint: r.pipeline_name,
          status: r.status,
          go: done(() => void navigate({ to: "/runs/$runId", params: { runId: r.id } })),
        }))
      : [];
    const label = (i: PaletteItem) => i.label;
    return [
      ...rankItems(pages, text, label, PER_GROUP),
      ...rankItems(steps, text, label, PER_GROUP),
      ...rankItems(pipelines, text, label, PER_GROUP),
      ...rankItems(artifacts, text, label, PER_GROUP),
      // The server already matched these by name; keep its newest-first order.
      ...found,
    ];
  }, [shown, text, runId, runSearch, graph.data, names.data, artifactNames.data, runs.data, navigate, onClose, onShortcuts]);

  const current = Math.min(index, Math.max(0, items.length - 1));

  useEffect(() => {
    listRef.current?.querySelector(`[data-index="${current}"]`)?.scrollIntoView({ block: "nearest" });
  }, [current]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      items[current]?.go();
      return;
    }
    const next = moveIndex(current, items.length, event.key);
    if (next !== current || event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setIndex(next);
    }
  };

  const searching = text.trim() !== "" && runs.isFetching;
  let lastGroup = "";
  return (
    <Modal opened={opened} onClose={onClose} onExitTransitionEnd={() => setShown(false)} withCloseButton={false} padding={0} size="lg" yOffset="12vh" title={undefined} aria-label="Command palette">
      <TextInput
        data-autofocus
        aria-label="Jump to"
        placeholder="Jump to a run, pipeline, artifact, step or page…"
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setIndex(0);
        }}
        onKeyDown={onKeyDown}
        variant="unstyled"
        size="md"
        px="md"
        py={4}
        rightSection={searching ? <Loader size="xs" aria-label="Searching runs" /> : null}
        style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}
        role="combobox"
        aria-expanded
        aria-controls="palette-list"
        aria-activedescendant={items[current] ? `palette-${current}` : undefined}
        autoComplete="off"
        spellCheck={false}
      />
      <ScrollArea.Autosize mah="50vh" type="auto">
        <Stack gap={0} p={6} id="palette-list" role="listbox" aria-label="Results" ref={listRef}>
          {items.length === 0 && (
            <Text fz="sm" c="dimmed" p="md">
              {searching ? "Searching…" : "Nothing matches. Try part of a run, pipeline or artifact name."}
            </Text>
          )}
          {items.map((item, i) => {
            const header = item.group !== lastGroup ? item.group : undefined;
            lastGroup = item.group;
            return (
              <div key={item.id}>
                {header && (
                  <Text fz="xs" fw={600} c="dimmed" tt="uppercase" px="sm" pt={i === 0 ? 4 : 10} pb={2}>
                    {header}
                  </Text>
                )}
                <UnstyledButton
                  id={`palette-${i}`}
                  data-index={i}
                  role="option"
                  aria-selected={i === current}
                  onMouseMove={() => i !== current && setIndex(i)}
                  onClick={item.go}
                  w="100%"
                  px="sm"
                  py={6}
                  style={{
                    borderRadius: "var(--mantine-radius-sm)",
                    background: i === current ? "var(--mantine-color-default-hover)" : undefined,
                  }}
                >
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                      <Text fz="sm" ff={item.group === "Pages" ? undefined : "monospace"} truncate>
                        {item.label}
                      </Text>
                      {item.status && <StatusBadge status={item.status} />}
                    </Group>
                    {item.hint &&
                      (item.group === "Pages" ? (
                        <Group gap={2}>
                          {item.hint.split(" ").map((k) => (
                            <Kbd key={k} size="xs">
                              {k}
                            </Kbd>
                          ))}
                        </Group>
                      ) : (
                        <Badge variant="default" tt="none" size="sm">
                          {item.hint}
                        </Badge>
                      ))}
                  </Group>
                </UnstyledButton>
              </div>
            );
          })}
        </Stack>
      </ScrollArea.Autosize>
      <Group gap="md" px="md" py={6} style={{ borderTop: "1px solid var(--mantine-color-default-border)" }}>
        <Text fz="xs" c="dimmed">
          <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> move · <Kbd size="xs">Enter</Kbd> open · <Kbd size="xs">Esc</Kbd> close
        </Text>
      </Group>
    </Modal>
  );
}
