import { AppShell, Group, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type RouterHistory, Link, Outlet, createRootRoute, createRoute, createRouter, redirect } from "@tanstack/react-router";

import { authQueries } from "../api/auth";
import { SessionEnded } from "../components/SessionEnded";
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

export const routeTree = rootRoute.addChildren([indexRoute, runsRoute]);

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
