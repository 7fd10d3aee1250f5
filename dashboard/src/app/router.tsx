import { Anchor, AppShell, Box, Button, Group, Kbd, Stack, Text, Title, Tooltip } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  type RouterHistory,
  Link,
  Outlet,
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  redirect,
  retainSearchParams,
} from "@tanstack/react-router";
import { useCallback, useEffect, useState } from "react";

import { authQueries } from "../api/auth";
import { type LiveState, startEvents, useLiveState } from "../api/events";
import { activeProject, isProjectPath, onProjectChange, setActiveProject, useActiveProject } from "../api/project";
import { CommandPalette } from "../components/CommandPalette";
import { SessionEnded } from "../components/SessionEnded";
import { ShortcutsHelp, useAppShortcuts } from "../components/Shortcuts";
import { AccountMenu } from "../features/account/AccountMenu";
import { ProjectSwitcher } from "../features/access/ProjectSwitcher";
import { validateAuditSearch, validateExplorerSearch, validateGrantsSearch } from "../features/access/search";
import { useAccess } from "../features/access/useAccess";
import { ArtifactsPage } from "../features/artifacts/ArtifactsPage";
import { validateArtifactSearch, validateArtifactsSearch } from "../features/artifacts/search";
import { ApprovalsNavLink } from "../features/models/approvals/ApprovalsNavLink";
import { validateApprovalsSearch } from "../features/models/approvals/search";
import { validateRunDiffSearch } from "../features/compare/diffSearch";
import { validateMetadataSearch } from "../features/metadata/search";
import { MAX_RUNS, parseList, validateRunCompareSearch } from "../features/compare/runCompare";
import { prefetchComparison } from "../api/runCompare";
import { validateCompareSearch } from "../features/models/compare";
import { validateModelSearch, validateModelsSearch } from "../features/models/search";
import { validateVersionSearch } from "../features/models/version/search";
import { PipelinePage } from "../features/pipelines/PipelinePage";
import { PipelinesPage } from "../features/pipelines/PipelinesPage";
import { validatePipelineSearch, validatePipelinesSearch } from "../features/pipelines/search";
import { RunPage } from "../features/run/RunPage";
import { validateRunSearch } from "../features/run/search";
import { RunsPage } from "../features/runs/RunsPage";
import { validateRunsSearch } from "../features/runs/search";
import { validateComponentsSearch, validateStackSearch, validateStacksSearch } from "../features/stacks/search";

const LIVE: Record<LiveState, { color: string; label: string; help: string }> = {
  live: { color: "var(--mantine-color-green-filled)", label: "Live", help: "Statuses update as they change." },
  connecting: { color: "var(--mantine-color-yellow-filled)", label: "Connecting", help: "Opening the live status stream…" },
  reconnecting: {
    color: "var(--mantine-color-orange-filled)",
    label: "Reconnecting",
    help: "The live stream dropped (is the server restarting?); retrying, and refreshing every few seconds meanwhile.",
  },
  off: { color: "var(--mantine-color-gray-filled)", label: "Not live", help: "This browser cannot open a live stream; pages refresh every few seconds." },
};

function LiveIndicator() {
  const state = useLiveState();
  const { color, label, help } = LIVE[state];
  return (
    <Tooltip label={help} multiline w={260}>
      <Group gap={6} wrap="nowrap" data-testid="live-indicator" data-state={state} aria-label={`${label}: ${help}`} role="status">
        <Box w={8} h={8} style={{ borderRadius: "50%", background: color, flexShrink: 0 }} />
        <Text fz="xs" c="dimmed" visibleFrom="sm">
          {label}
        </Text>
      </Group>
    </Tooltip>
  );
}

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

function NavLinkItem({ to, label }: { to: "/runs" | "/pipelines" | "/artifacts" | "/models" | "/metadata" | "/stacks" | "/settings"; label: string }) {
  return (
    <Anchor
      fz="sm"
      fw={500}
      c="dimmed"
      underline="never"
      renderRoot={(props) => <Link {...props} to={to} activeProps={{ style: { color: "var(--mantine-color-text)", fontWeight: 700 } }} />}
    >
      {label}
    </Anchor>
  );
}

function Layout() {
  const me = useQuery(authQueries.me());
  const queryClient = useQueryClient();
  const [palette, setPalette] = useState(false);
  const [help, setHelp] = useState(false);
  const openPalette = useCallback(() => {
    setHelp(false);
    setPalette(true);
  }, []);
  const openHelp = useCallback(() => setHelp(true), []);
  const closePalette = useCallback(() => setPalette(false), []);
  const closeHelp = useCallback(() => setHelp(false), []);
  useAppShortcuts({ openPalette, openHelp, paused: palette || help });

  // One live stream for the whole app, once logged in, of the project picked (an EventSource sends no headers).
  const loggedIn = me.data !== undefined;
  const project = useActiveProject();
  useEffect(
    () => (loggedIn ? startEvents(queryClient, project ? `/api/v1/events?project=${encodeURIComponent(project)}` : undefined) : undefined),
    [loggedIn, queryClient, project],
  );
  // Another project, other rows: every list and page refetches (who the caller is and may be stays).
  useEffect(
    () => onProjectChange(() => void queryClient.resetQueries({ predicate: (q) => q.queryKey[0] !== "auth" && q.queryKey[0] !== "access" })),
    [queryClient],
  );
  const access = useAccess();

  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Anchor underline="never" c="inherit" renderRoot={(props) => <Link {...props} to="/runs" />}>
              <Title order={3}>Waypost</Title>
            </Anchor>
            <NavLinkItem to="/runs" label="Runs" />
            <NavLinkItem to="/pipelines" label="Pipelines" />
            <NavLinkItem to="/artifacts" label="Artifacts" />
            <NavLinkItem to="/models" label="Models" />
            <NavLinkItem to="/metadata" label="Metadata" />
            {loggedIn && <ApprovalsNavLink />}
            <NavLinkItem to="/stacks" label="Stacks" />
            {access.loaded && <NavLinkItem to="/settings" label="Settings" />}
          </Group>
          <Group gap="md" wrap="nowrap">
            {loggedIn && <ProjectSwitcher />}
            <Button
              variant="default"
              size="xs"
              onClick={openPalette}
              aria-label="Search and jump (Ctrl K)"
              leftSection={
                <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
                  <circle cx="11" cy="11" r="7" />
                  <path d="m20 20-3.5-3.5" />
                </svg>
              }
              rightSection={
                <Group gap={2} wrap="nowrap">
                  <Kbd size="xs">{isMac ? "⌘" : "Ctrl"}</Kbd>
                  <Kbd size="xs">K</Kbd>
                </Group>
              }
              w={{ base: "auto", sm: 220 }}
              justify="space-between"
              styles={{ inner: { width: "100%" }, label: { flex: 1, color: "var(--mantine-color-dimmed)", fontWeight: 400 } }}
            >
              Search…
            </Button>
            <LiveIndicator />
            {me.data && <AccountMenu me={me.data} />}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      <CommandPalette opened={palette} onClose={closePalette} onShortcuts={openHelp} />
      <ShortcutsHelp opened={help} onClose={closeHelp} />
      <SessionEnded />
    </AppShell>
  );
}

function NotFound() {
  return (
    <Stack align="center" py="xl" gap="xs">
      <Title order={3}>This page does not exist</Title>
      <Text c="dimmed">The link may be mistyped, or point to something that was deleted.</Text>
      <Group gap="md">
        <Anchor renderRoot={(props) => <Link {...props} to="/runs" />}>Go to the runs</Anchor>
        <Anchor renderRoot={(props) => <Link {...props} to="/pipelines" />}>Go to the pipelines</Anchor>
      </Group>
    </Stack>
  );
}

/** Every page's search may name the project it shows (`?project=ws/name`); links keep it. */
export interface RootSearch {
  project?: string;
}

const rootRoute = createRootRoute({
  component: Layout,
  notFoundComponent: NotFound,
  validateSearch: (raw: Record<string, unknown>): RootSearch => (isProjectPath(raw.project) ? { project: raw.project } : {}),
  search: { middlewares: [retainSearchParams(["project"])] },
  // The URL names the project before any page asks for data; a URL without one gets the remembered one.
  beforeLoad: ({ search, location }) => {
    if (search.project) setActiveProject(search.project);
    else if (activeProject()) throw redirect({ to: location.pathname as "/", search: { ...(location.search as object), project: activeProject() }, replace: true });
  },
});

/** The home page is the runs list; its filters carry over. */
const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  validateSearch: validateRunsSearch,
  beforeLoad: ({ search }) => {
    throw redirect({ to: "/runs", search, replace: true });
  },
});

/**
 * `/login` without a one-time token (the server trades those itself): the runs list, where the log-in
 * dialog opens over the page until a session exists, instead of "This page does not exist" behind it.
 */
const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  beforeLoad: () => {
    throw redirect({ to: "/runs", replace: true });
  },
});

const runsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/runs",
  validateSearch: validateRunsSearch,
  component: RunsPage,
});

const runRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/runs/$runId",
  validateSearch: validateRunSearch,
  component: RunPage,
});

const pipelinesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/pipelines",
  validateSearch: validatePipelinesSearch,
  component: PipelinesPage,
});

const pipelineRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/pipelines/$pipeline",
  validateSearch: validatePipelineSearch,
  component: PipelinePage,
});

const artifactsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/artifacts",
  validateSearch: validateArtifactsSearch,
  component: ArtifactsPage,
});

const artifactRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/artifacts/$artifact",
  validateSearch: validateArtifactSearch,
  // Its visualizations (charts, tables, markdown) load with it, not with the first page.
  component: lazyRouteComponent(() => import("../features/artifacts/ArtifactPage"), "ArtifactPage"),
});

// Models: their pages (and the chart code) load when first opened.
const modelsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/models",
  validateSearch: validateModelsSearch,
  component: lazyRouteComponent(() => import("../features/models/ModelsPage"), "ModelsPage"),
});

const modelRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/models/$model",
  validateSearch: validateModelSearch,
  component: lazyRouteComponent(() => import("../features/models/ModelPage"), "ModelPage"),
});

// Runs side by side; the selection, baseline, filters, axes and brushes live in the URL.
const runCompareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/compare",
  validateSearch: validateRunCompareSearch,
  // The comparison is fetched while the page's code loads, not after.
  loaderDeps: ({ search }) => ({ runs: search.runs }),
  loader: ({ deps }) => prefetchComparison(parseList(deps.runs).slice(0, MAX_RUNS)),
  component: lazyRouteComponent(() => import("../features/compare/RunComparePage"), "RunComparePage"),
});

// Two runs' structural diff: steps added, removed and re-wired on the graph, code, parameters, stack, cache.
const runDiffRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/compare/diff",
  validateSearch: validateRunDiffSearch,
  component: lazyRouteComponent(() => import("../features/compare/RunDiffPage"), "RunDiffPage"),
});

const modelCompareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/models/$model/compare",
  validateSearch: validateCompareSearch,
  component: lazyRouteComponent(() => import("../features/models/ComparePage"), "ComparePage"),
});

// A version: who made, named and consumed it, its artifacts by role, its metadata and lineage.
const modelVersionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/models/$model/versions/$version",
  validateSearch: validateVersionSearch,
  component: lazyRouteComponent(() => import("../features/models/version/ModelVersionPage"), "ModelVersionPage"),
});

// Requests for a stage across models: those waiting for the caller's vote, or the caller's own.
const approvalsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/approvals",
  validateSearch: validateApprovalsSearch,
  component: lazyRouteComponent(() => import("../features/models/approvals/ApprovalsPage"), "ApprovalsPage"),
});

// Every metadata key across runs, steps, artifacts and model versions, a key's history, saved views.
const metadataRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/metadata",
  validateSearch: validateMetadataSearch,
  component: lazyRouteComponent(() => import("../features/metadata/MetadataPage"), "MetadataPage"),
});

// Settings: who may do what. Each page loads when first opened; the server refuses what the caller may not do.
const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/settings",
  component: lazyRouteComponent(() => import("../features/access/SettingsLayout"), "SettingsLayout"),
});

const settingsIndexRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/",
  component: lazyRouteComponent(() => import("../features/access/SettingsLayout"), "SettingsHome"),
});

const membersRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/members",
  component: lazyRouteComponent(() => import("../features/access/MembersPage"), "MembersPage"),
});

const teamsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/teams",
  component: lazyRouteComponent(() => import("../features/access/TeamsPage"), "TeamsPage"),
});

const rolesRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/roles",
  component: lazyRouteComponent(() => import("../features/access/RolesPage"), "RolesPage"),
});

const grantsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/grants",
  validateSearch: validateGrantsSearch,
  component: lazyRouteComponent(() => import("../features/access/GrantsPage"), "GrantsPage"),
});

const explorerRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/access",
  validateSearch: validateExplorerSearch,
  component: lazyRouteComponent(() => import("../features/access/AccessExplorer"), "AccessExplorer"),
});

const auditRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/audit",
  validateSearch: validateAuditSearch,
  component: lazyRouteComponent(() => import("../features/access/AuditPage"), "AuditPage"),
});

// Stacks: their forms (react-jsonschema-form) load with these pages, not with the first page.
const stacksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/stacks",
  validateSearch: validateStacksSearch,
  component: lazyRouteComponent(() => import("../features/stacks/StacksPage"), "StacksPage"),
});

const stackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/stacks/$stack",
  validateSearch: validateStackSearch,
  component: lazyRouteComponent(() => import("../features/stacks/StackPage"), "StackPage"),
});

const componentsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/components",
  validateSearch: validateComponentsSearch,
  component: lazyRouteComponent(() => import("../features/stacks/ComponentsPage"), "ComponentsPage"),
});

const connectorsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/connectors",
  component: lazyRouteComponent(() => import("../features/stacks/ConnectorsPage"), "ConnectorsPage"),
});

const secretsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/secrets",
  component: lazyRouteComponent(() => import("../features/stacks/SecretsPage"), "SecretsPage"),
});

export const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  runsRoute,
  runRoute,
  pipelinesRoute,
  pipelineRoute,
  artifactsRoute,
  artifactRoute,
  modelsRoute,
  modelRoute,
  runCompareRoute,
  runDiffRoute,
  modelCompareRoute,
  modelVersionRoute,
  approvalsRoute,
  metadataRoute,
  stacksRoute,
  stackRoute,
  componentsRoute,
  connectorsRoute,
  secretsRoute,
  settingsRoute.addChildren([settingsIndexRoute, membersRoute, teamsRoute, rolesRoute, grantsRoute, explorerRoute, auditRoute]),
]);

/** The app's router; tests pass a memory history. */
export function createAppRouter(history?: RouterHistory) {
  return createRouter({ routeTree, defaultPreload: "intent", ...(history ? { history } : {}) });
}

export const router = createAppRouter();

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
