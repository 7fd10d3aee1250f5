import { Anchor } from "@mantine/core";
import { Link } from "@tanstack/react-router";

import { type Run, runKeys } from "../../api/runs";
import { ResourceTags } from "../tags/ResourceTags";
import { filterValue } from "./RunFacts";

/** A run's tags, each a link to the runs carrying it; with run:update, added and removed in place. */
export function RunTags({ run }: { run: Run }) {
  return (
    <ResourceTags
      resource="run"
      id={run.id}
      projectId={run.project_id}
      tags={run.tags ?? []}
      permission="run:update"
      invalidate={[runKeys.all]}
      testId="run-tags"
      renderTag={(t) => (
        <Anchor inherit c="inherit" title={`The runs tagged ${t}`} renderRoot={(props) => <Link {...props} to="/runs" search={{ q: `tag:${filterValue(t)}` }} />}>
          {t}
        </Anchor>
      )}
    />
  );
}
