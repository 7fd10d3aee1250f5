import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { Link } from "@tanstack/react-router";

import { ApiError } from "../api/client";

/** A failed load, said in words, with a way forward: retry, or back to a list. */
export function ErrorState({
  title,
  error,
  onRetry,
  backTo,
  backLabel,
}: {
  title: string;
  error: unknown;
  onRetry?: () => void;
  backTo?: "/runs" | "/pipelines";
  backLabel?: string;
}) {
  const notFound = error instanceof ApiError && error.status === 404;
  const message =
    error instanceof ApiError
      ? error.message
      : "The Waypost server did not answer; check that `waypost up` is running, then retry.";
  return (
    <Alert color={notFound ? "yellow" : "red"} title={title} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text fz="sm">{message}</Text>
        <Group gap="xs">
          {onRetry && !notFound && (
            <Button size="xs" variant="light" onClick={onRetry}>
              Retry
            </Button>
          )}
          {backTo && (
            <Button size="xs" variant="light" component={Link} to={backTo}>
              {backLabel ?? "Back"}
            </Button>
          )}
        </Group>
      </Stack>
    </Alert>
  );
}
