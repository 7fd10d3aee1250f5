import { Box, Center, Group, Loader, NavLink, Stack, Text, Title } from "@mantine/core";
import { Link, Navigate, Outlet, useRouterState } from "@tanstack/react-router";

import { useAccess } from "./useAccess";

type SettingsPath = "/settings/members" | "/settings/teams" | "/settings/roles" | "/settings/grants" | "/settings/access" | "/settings/audit";

interface Section {
  to: SettingsPath;
  label: string;
  help: string;
  /** Shown when the caller holds this somewhere (undefined: everyone, for themselves). */
  needs?: string;
}

/** The settings pages, in the order the side menu lists them. */
export const SECTIONS: readonly Section[] = [
  { to: "/settings/members", label: "Members", help: "Users, their roles, invitations", needs: "member:read" },
  { to: "/settings/teams", label: "Teams", help: "Groups of users that roles are granted to", needs: "team:read" },
  { to: "/settings/roles", label: "Roles", help: "Named sets of permissions", needs: "role:read" },
  { to: "/settings/grants", label: "Grants", help: "Who holds which role, where" },
  { to: "/settings/access", label: "Access explorer", help: "Every permission and where it comes from" },
  { to: "/settings/audit", label: "Audit log", help: "Who did what, when, from where", needs: "audit_log:read" },
];

/** The sections the caller may open. */
export function useSections(): readonly Section[] | undefined {
  const access = useAccess();
  if (!access.loaded) return undefined;
  // The audit log spans every workspace: the server wants audit_log:read organization-wide.
  return SECTIONS.filter((s) => !s.needs || (s.needs === "audit_log:read" ? access.can(s.needs) : access.anywhere(s.needs)));
}

/** Settings: a side menu of the sections the caller may use, and the open one. */
export function SettingsLayout() {
  const sections = useSections();
  const path = useRouterState({ select: (s) => s.location.pathname });
  return (
    <Group align="flex-start" gap="lg" wrap="nowrap">
      <Box w={220} style={{ flexShrink: 0 }} component="nav" aria-label="Settings">
        <Title order={4} mb="xs">
          Settings
        </Title>
        {sections?.map((s) => (
          <NavLink
            key={s.to}
            label={s.label}
            description={s.help}
            active={path.startsWith(s.to)}
            renderRoot={(props) => <Link {...props} to={s.to} />}
          />
        ))}
      </Box>
      <Box style={{ flex: 1, minWidth: 0 }}>
        <Outlet />
      </Box>
    </Group>
  );
}

/** /settings: the first section the caller may open. */
export function SettingsHome() {
  const sections = useSections();
  if (!sections) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading your permissions" />
      </Center>
    );
  }
  const first = sections[0];
  return first ? <Navigate to={first.to} replace /> : <Stack><Text>Nothing here is open to you.</Text></Stack>;
}
