import { type QueryKey, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { accessQueries } from "../../api/access";
import { type TagResource, changeTags } from "../../api/bulk";
import { TagsEditor } from "../../components/TagsEditor";
import { canInProject } from "../access/permissions";
import { useAccess } from "../access/useAccess";

const SHARE_TYPE: Record<TagResource, string> = { run: "run", pipeline: "pipeline", artifact_version: "artifact", model_version: "model" };

interface Props {
  resource: TagResource;
  id: string;
  projectId: string | null | undefined;
  tags: readonly string[];
  /** The permission that changes them: run:update, pipeline:update, artifact:update. */
  permission: string;
  /** Queries that show these tags, read again after a change. */
  invalidate: readonly QueryKey[];
  renderTag?: (tag: string) => ReactNode;
  testId?: string;
  label?: string;
}

/** A pipeline's, run's or artifact version's tags, changed in place by those who may (through POST /tags/bulk). */
export function ResourceTags({ resource, id, projectId, tags, permission, invalidate, renderTag, testId, label }: Props) {
  const queryClient = useQueryClient();
  const access = useAccess();
  const projects = useQuery(accessQueries.projects());
  const canUpdate = canInProject(access.me, permission, projectId ?? null, projects.data, { type: SHARE_TYPE[resource], id });
  if (!tags.length && !canUpdate) return null;
  return (
    <TagsEditor
      tags={tags}
      canUpdate={canUpdate}
      testId={testId}
      label={label}
      renderTag={renderTag}
      onChange={async (change) => {
        const result = await changeTags(resource, [id], change);
        const item = result.items[0];
        if (item?.outcome !== "ok") throw new Error(item?.detail ?? "The tags could not be changed.");
        await Promise.all(invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      }}
    />
  );
}
