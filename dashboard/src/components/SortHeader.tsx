import { Table, UnstyledButton } from "@mantine/core";

/** The next sort when a column header is clicked: ascending, then descending, then the default. */
export function cycleSort(current: string | undefined, key: string): string | undefined {
  if (current === key) return `-${key}`;
  if (current === `-${key}`) return undefined;
  return key;
}

/** A list's column header that sorts by `sortKey` (URL form: `key` ascending, `-key` descending). */
export function SortHeader({ sortKey, label, sort, onSort }: { sortKey: string; label: string; sort: string | undefined; onSort: (s: string | undefined) => void }) {
  const aria = sort === sortKey ? "ascending" : sort === `-${sortKey}` ? "descending" : "none";
  return (
    <Table.Th aria-sort={aria} style={{ whiteSpace: "nowrap" }}>
      <UnstyledButton fw={600} fz="sm" onClick={() => onSort(cycleSort(sort, sortKey))} title={`Sort by ${label.toLowerCase()}`}>
        {label}
        {aria === "ascending" ? " ▲" : aria === "descending" ? " ▼" : ""}
      </UnstyledButton>
    </Table.Th>
  );
}
