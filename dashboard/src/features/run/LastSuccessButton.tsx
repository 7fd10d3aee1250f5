import { Button, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";

import { ApiError } from "../../api/client";
import { runDiffQueries } from "../../api/runDiff";
import type { Run } from "../../api/runs";

const BROKEN = new Set(["failed", "crashed"]);

/** On a failed run: open its structural diff against the newest successful run of its pipeline before it. */
export function LastSuccessButton({ run }: { run: Run }) {
  const broken = BROKEN.has(run.status);
  const last = useQuery({ ...runDiffQueries.lastSuccessful(run.id), enabled: broken });
  if (!broken) return null;
  if (last.error) {
    const none = last.error instanceof ApiError && last.error.status === 404;
    return (
      <Tooltip label={none ? "This pipeline has no successful run before this one." : "The server did not answer."}>
        <Button size="xs" variant="default" disabled>
          Compare with the last successful run
        </Button>
      </Tooltip>
    );
  }
  return (
    <Button
      size="xs"
      variant="light"
      color="red"
      loading={last.isPending}
      data-testid="compare-last-success"
      renderRoot={(props) => (last.data ? <Link {...props} to="/compare/diff" search={{ before: last.data.id, after: run.id }} /> : <button type="button" {...props} />)}
    >
      Compare with the last successful run
    </Button>
  );
}
