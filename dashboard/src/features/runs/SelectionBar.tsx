import { Button, Group, Paper, Text, Tooltip } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";

import { ApiError } from "../../api/client";
import { runQueries } from "../../api/runs";

/** The most runs one comparison takes (MAX_COMPARED_RUNS on the server). */
export const MAX_COMPARED_RUNS = 100;

interface Props {
  selected: readonly string[];
  onSelect: (ids: string[]) => void;
  /** The filter of the list, scope included: "select all matching" ticks what it matches. */
  query: string;
  sort?: string | undefined;
  total: number;
}

/** What to do with the ticked runs: compare them (the selection goes in the URL), tick every match, clear. */
export function SelectionBar({ selected, onSelect, query, sort, total }: Props) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const tooMany = total > MAX_COMPARED_RUNS;

  const selectAll = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await client.fetchQuery(runQueries.list({ q: query, sort, page: 1, size: MAX_COMPARED_RUNS }));
      onSelect(page.items.map((r) => r.id));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "The server did not answer.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder px="sm" py={6} radius="sm" data-testid="selection-bar">
      <Group justify="space-between" gap="xs">
        <Text fz="sm" c={selected.length ? undefined : "dimmed"}>
          {selected.length
            ? `${selected.length} run${selected.length === 1 ? "" : "s"} selected`
            : "Tick runs to compare them (shift-click ticks a range)"}
          {error ? ` · ${error}` : ""}
        </Text>
        <Group gap="xs">
          <Tooltip label={`A comparison takes at most ${MAX_COMPARED_RUNS} runs: narrow the filter`} disabled={!tooMany}>
            <Button size="xs" variant="subtle" loading={busy} disabled={tooMany} onClick={() => void selectAll()}>
              Select all {total.toLocaleString()} matching
            </Button>
          </Tooltip>
          {selected.length > 0 && (
            <Button size="xs" variant="subtle" color="gray" onClick={() => onSelect([])}>
              Clear
            </Button>
          )}
          <Tooltip label="Pick at least two runs" disabled={selected.length >= 2}>
            <Button
              size="xs"
              disabled={selected.length < 2}
              data-testid="compare-selected"
              renderRoot={(props) => (selected.length >= 2 ? <Link {...props} to="/compare" search={{ runs: selected.join(",") }} /> : <button type="button" {...props} />)}
            >
              Compare{selected.length >= 2 ? ` ${selected.length}` : ""}
            </Button>
          </Tooltip>
        </Group>
      </Group>
    </Paper>
  );
}
