import { Anchor, Group } from "@mantine/core";
import { Link } from "@tanstack/react-router";

import { useStackAccess } from "./useStackAccess";

const PAGES = [
  { to: "/stacks", label: "Stacks" },
  { to: "/components", label: "Components" },
  { to: "/connectors", label: "Connectors" },
  { to: "/secrets", label: "Secrets" },
] as const;

/** The stacks pages' own tabs; Secrets only for those who may read them. */
export function StacksNav() {
  const access = useStackAccess();
  return (
    <Group gap="md" component="nav" aria-label="Stacks pages" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }} pb={6}>
      {PAGES.filter((p) => p.to !== "/secrets" || access.can("secret:read")).map((p) => (
        <Anchor
          key={p.to}
          fz="sm"
          c="dimmed"
          underline="never"
          renderRoot={(props) => (
            <Link {...props} to={p.to} activeOptions={{ exact: p.to !== "/stacks", includeSearch: false }} activeProps={{ style: { color: "var(--mantine-color-text)", fontWeight: 700 } }} />
          )}
        >
          {p.label}
        </Anchor>
      ))}
    </Group>
  );
}
