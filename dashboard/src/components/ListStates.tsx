import { Alert, Anchor, Button, Center, Loader, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

import { ApiError } from "../api/client";

/**
 * What a filtered, paged list shows instead of rows: a failed load (with Retry), loading,
 * nothing matching the filter (with a way to clear it), or nothing at all yet (with a hint).
 */
export function ListStates({
  noun,
  error,
  onRetry,
  pending,
  empty,
  filtered,
  onClearFilter,
  emptyHint,
}: {
  /** Plural, lower case: "pipelines". */
  noun: string;
  error: unknown;
  onRetry: () => void;
  pending: boolean;
  empty: boolean;
  filtered: boolean;
  onClearFilter: () => void;
  emptyHint: ReactNode;
}) {
  return (
    <>
      {error != null && error !== false && (
        <Alert color="red" title={`Could not load ${noun}`} role="alert">
          <Stack gap="xs" align="flex-start">
            <Text fz="sm">{error instanceof ApiError ? error.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
            <Button size="xs" variant="light" onClick={onRetry}>
              Retry
            </Button>
          </Stack>
        </Alert>
      )}
      {pending && (
        <Center py="xl">
          <Loader aria-label={`Loading ${noun}`} />
        </Center>
      )}
      {empty && (
        <Center py="xl">
          {filtered ? (
            <Stack align="center" gap="xs">
              <Text>No {noun} match this filter.</Text>
              <Anchor component="button" onClick={onClearFilter}>
                Clear the filter
              </Anchor>
            </Stack>
          ) : (
            <Text>{emptyHint}</Text>
          )}
        </Center>
      )}
    </>
  );
}
