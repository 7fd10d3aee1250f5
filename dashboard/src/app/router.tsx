import { AppShell, Group, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type RouterHistory, Link, Outlet, createRootRoute, createRoute, createRouter, redirect } from "@tanstack/react-router";

import { authQueries } from "../api/auth";
import { SessionEnded } from "../components/SessionEnded";
import { PipelinePage } from "../features/pipelines/PipelinePage";
import { PipelinesPage } from "../features/pipelines/PipelinesPage";
import { RunPage } from "../features/run/RunPage";
import { validateRunSearch } from "../features/run/search";
import { RunsPage } from "../features/runs/RunsPage";
import { validateRunsSearch } from "../features/runs/search";

function Layout() {
  const me = useQuery(authQueries.me());
  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Title order={3}>Waypost</Title>
            <Link to="/runs">Runs</Link>
            <Link to="/pipelines">Pipelines</Link>
          </Group>
          {me.data && (
            <Text fz="sm" c="dimmed">
              {me.data.user.name}
            </Text>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      <SessionEnded />
    </AppShell>
  );
}

function NotFound() {
  return (
    <Text>
      This page does not exist. <Link to="/runs">Go to the runs</Link>
    </Text>
  );
}

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFound });

/** The home page is the runs list; its filters carry over. */
const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  validateSearch: validateRunsSearch,
  beforeLoad: ({ search }) => {
    throw redirect({ to: "/runs", search, replace: true });
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
  component: PipelinesPage,
});

const pipelineRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/pipelines/$pipeline",
  component: PipelinePage,
});

export const routeTree = rootRoute.addChildren([indexRoute, runsRoute, runRoute, pipelinesRoute, pipelineRoute]);

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
