import { Checkbox, Table, Text } from "@mantine/core";

import { type Catalogue, actionLabel } from "./permissions";

/**
 * Permissions as a grid: resource types down, actions across. Only the pairs the server
 * knows have a box; a read-only grid (a built-in role) shows ticks that cannot change.
 */
export function PermissionGrid({
  catalogue,
  value,
  onChange,
  level,
}: {
  catalogue: Catalogue;
  value: readonly string[];
  /** The role's level: rows that grant nothing at it are dimmed and cannot be ticked (only cleared). */
  level?: string | undefined;
  /** Absent: read-only. */
  onChange?: ((next: string[]) => void) | undefined;
}) {
  const held = new Set(value);
  const toggle = (permission: string, on: boolean) => {
    if (!onChange) return;
    const next = new Set(held);
    if (on) next.add(permission);
    else next.delete(permission);
    // The server's catalogue order, so that a saved role reads the same as a built-in one.
    onChange(catalogue.resources.flatMap((r) => catalogue.actions.map((a) => `${r}:${a}`)).filter((p) => next.has(p)));
  };
  const toggleRow = (resource: string) => {
    if (!onChange) return;
    const row = catalogue.actions.filter((a) => catalogue.has(resource, a)).map((a) => `${resource}:${a}`);
    const allOn = row.every((p) => held.has(p));
    const next = new Set(held);
    for (const p of row) {
      if (allOn) next.delete(p);
      else next.add(p);
    }
    onChange(catalogue.resources.flatMap((r) => catalogue.actions.map((a) => `${r}:${a}`)).filter((p) => next.has(p)));
  };
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table data-testid="permission-grid" withColumnBorders verticalSpacing={4} horizontalSpacing="xs" fz="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Resource</Table.Th>
            {catalogue.actions.map((a) => (
              <Table.Th key={a} ta="center" style={{ whiteSpace: "nowrap" }}>
                {actionLabel(a)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {catalogue.resources.map((r) => {
            const inert = level !== undefined && !catalogue.appliesAt(r, level);
            return (
            <Table.Tr key={r} data-inert={inert || undefined} title={inert ? `${actionLabel(r)} permissions grant nothing in a ${level}-level role` : undefined} style={inert ? { opacity: 0.45 } : undefined}>
              <Table.Th scope="row" style={{ whiteSpace: "nowrap" }}>
                {onChange && !inert ? (
                  <Text component="button" type="button" fz="sm" fw={600} onClick={() => toggleRow(r)} title="Tick or clear the whole row" style={{ background: "none", border: 0, padding: 0, cursor: "pointer", color: "inherit" }}>
                    {actionLabel(r)}
                  </Text>
                ) : (
                  actionLabel(r)
                )}
              </Table.Th>
              {catalogue.actions.map((a) => {
                const permission = `${r}:${a}`;
                if (!catalogue.has(r, a)) {
                  return (
                    <Table.Td key={a} ta="center" c="dimmed" aria-hidden>
                      ·
                    </Table.Td>
                  );
                }
                return (
                  <Table.Td key={a}>
                    <Checkbox
                      aria-label={permission}
                      checked={held.has(permission)}
                      readOnly={!onChange}
                      disabled={(!onChange || inert) && !held.has(permission)}
                      onChange={(e) => toggle(permission, e.currentTarget.checked)}
                      styles={{ body: { justifyContent: "center" } }}
                    />
                  </Table.Td>
                );
              })}
            </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
