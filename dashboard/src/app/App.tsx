import { Combobox, MantineProvider, createTheme } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";

import { ApiError } from "../api/client";
import type { createAppRouter } from "./router";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx will not change on retry; a network blip might.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
}

/**
 * Mantine's defaults, but for one: a closed select's dropdown is not kept in the page. Kept (hidden,
 * the default) every select renders all its options and tracks its position from the start, some
 * 30 ms each here; a page with a few selects over hundreds of attributes paid that before its first paint.
 */
const theme = createTheme({
  components: { Combobox: Combobox.extend({ defaultProps: { keepMounted: false } }) },
});

/** Theme (following the system's dark or light), server state and routes. */
export function App({ router, queryClient }: { router: ReturnType<typeof createAppRouter>; queryClient: QueryClient }) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
