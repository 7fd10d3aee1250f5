import { useQuery } from "@tanstack/react-query";

import { accessQueries } from "../../api/access";
import { useActiveProject } from "../../api/project";
import { stackQueries } from "../../api/stacks";
import { can } from "../access/permissions";
import { useAccess } from "../access/useAccess";

/**
 * Stacks, components, connectors and secrets live in a workspace: the one of the project picked in
 * the header (the server's default workspace when none is). Which controls show follows what the
 * caller holds there (the Stack Admin role: stack:create|update|delete, secret:*).
 */
export function useStackAccess() {
  const access = useAccess();
  const project = useActiveProject();
  const projects = useQuery(accessQueries.projects());
  // Every workspace has its default stack, so the stacks listed say which workspace the server answers for.
  const stacks = useQuery(stackQueries.stacks());
  const picked = project ? projects.data?.find((p) => `${p.workspace}/${p.name}` === project)?.workspace_id : undefined;
  const workspaceId = picked ?? stacks.data?.[0]?.workspace_id;
  return {
    workspaceId,
    loaded: access.loaded && workspaceId !== undefined,
    can: (permission: string, resource?: { type: string; id: string }) => can(access.me, permission, { workspaceId, resource }),
  };
}
