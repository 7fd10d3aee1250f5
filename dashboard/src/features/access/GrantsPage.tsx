import { Alert, Badge, Button, Group, SegmentedControl, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";

import { type GrantCreate, type GrantFilter, accessKeys, accessQueries, createGrant, revokeGrant } from "../../api/access";
import { ListStates } from "../../components/ListStates";
import { formatTime } from "../runs/format";
import { ConfirmButton } from "./ConfirmButton";
import type { ScopeKind } from "./search";
import { useAccess } from "./useAccess";

const route = getRouteApi("/settings/grants");

function GrantForm({ scope, at }: { scope: ScopeKind; at: string | undefined }) {
  const access = useAccess();
  const queryClient = useQueryClient();
  const roles = useQuery({ ...accessQueries.roles(), enabled: access.anywhere("role:read") });
  const users = useQuery({ ...accessQueries.users(), enabled: access.anywhere("member:read") });
  const teams = useQuery({ ...accessQueries.teams(), enabled: access.anywhere("team:read") });
  const [kind, setKind] = useState<"user" | "team">("user");
  const [who, setWho] = useState<string | null>(null);
  const [role, setRole] = useState<string | null>(null);
  const grant = useMutation({
    mutationFn: () => {
      const body: GrantCreate = { role: role ?? "", [kind]: who };
      if (scope === "workspace") body.workspace = at ?? null;
      if (scope === "project") body.project = at ?? null;
      return createGrant(body);
    },
    onSuccess: async () => {
      setWho(null);
      await queryClient.invalidateQueries({ queryKey: accessKeys.all });
    },
  });
  const people = kind === "user" ? (users.data ?? []).filter((u) => u.is_active).map((u) => u.name) : (teams.data ?? []).map((t) => t.name);
  const roleNames = (roles.data ?? []).filter((r) => r.level === scope).map((r) => r.name);
  return (
    <Stack gap="xs">
      <Group align="flex-end" gap="xs">
        <SegmentedControl aria-label="Grant to" value={kind} onChange={(v) => { setKind(v as "user" | "team"); setWho(null); }} data={[{ value: "user", label: "User" }, { value: "team", label: "Team" }]} />
        <Select label={kind === "user" ? "User" : "Team"} placeholder="Pick one" searchable data={people} value={who} onChange={setWho} w={220} />
        <Select label="Role" placeholder="Pick a role" data={roleNames} value={role} onChange={setRole} w={200} />
        <Button disabled={!who || !role || (scope !== "organization" && !at)} loading={grant.isPending} onClick={() => grant.mutate()}>
          Grant
        </Button>
      </Group>
      {grant.error && (
        <Alert color="red" role="alert">
          {grant.error.message}
        </Alert>
      )}
    </Stack>
  );
}

/** Grants at one scope (the organization, a workspace or a project): give a role to a user or team; revoke. */
export function GrantsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const access = useAccess();
  const queryClient = useQueryClient();
  const scope: ScopeKind = search.scope ?? "organization";
  const workspaces = useQuery(accessQueries.workspaces());
  const projects = useQuery(accessQueries.projects());
  const filter: GrantFilter = scope === "workspace" ? { workspace: search.at } : scope === "project" ? { project: search.at } : {};
  const ready = scope === "organization" || !!search.at;
  const grants = useQuery({ ...accessQueries.grants(filter), enabled: ready });
  const here = (grants.data ?? []).filter((g) => g.scope_type === scope && (scope === "organization" || g.scope === search.at));
  const revoke = useMutation({ mutationFn: revokeGrant, onSettled: () => queryClient.invalidateQueries({ queryKey: accessKeys.all }) });

  const ws = workspaces.data?.find((w) => w.name === (scope === "workspace" ? search.at : search.at?.split("/")[0]));
  const project = projects.data?.find((p) => `${p.workspace}/${p.name}` === search.at);
  const manage =
    scope === "organization"
      ? access.can("member:manage_members")
      : scope === "workspace"
        ? access.can("workspace:manage_members", { workspaceId: ws?.id })
        : access.can("project:manage_members", { workspaceId: project?.workspace_id, projectId: project?.id });
  const choices =
    scope === "workspace"
      ? (workspaces.data ?? []).map((w) => w.name)
      : (projects.data ?? []).map((p) => ({ value: `${p.workspace}/${p.name}`, label: `${p.workspace}/${p.name}` }));

  return (
    <Stack>
      <Title order={2}>Grants</Title>
      <Group align="flex-end" gap="xs">
        <SegmentedControl
          aria-label="Scope"
          value={scope}
          onChange={(v) => void navigate({ search: (prev) => ({ ...prev, scope: v === "organization" ? undefined : (v as ScopeKind), at: undefined }) })}
          data={[
            { value: "organization", label: "Organization" },
            { value: "workspace", label: "Workspace" },
            { value: "project", label: "Project" },
          ]}
        />
        {scope !== "organization" && (
          <Select
            aria-label={scope === "workspace" ? "Workspace" : "Project"}
            placeholder={`Pick a ${scope}`}
            searchable
            data={choices}
            value={search.at ?? null}
            onChange={(v) => void navigate({ search: (prev) => ({ ...prev, at: v ?? undefined }) })}
            w={260}
          />
        )}
      </Group>
      <Text fz="sm" c="dimmed">
        A role granted here holds {scope === "organization" ? "in every workspace and project" : scope === "workspace" ? "in every project of the workspace" : "in this project"}.
      </Text>
      {manage && ready && <GrantForm key={`${scope}:${search.at ?? ""}`} scope={scope} at={search.at} />}
      {revoke.error && (
        <Alert color="red" role="alert">
          {revoke.error.message}
        </Alert>
      )}
      {ready && (
        <ListStates
          noun="grants"
          error={grants.error}
          onRetry={() => void grants.refetch()}
          pending={grants.isPending}
          empty={!!grants.data && here.length === 0}
          filtered={false}
          onClearFilter={() => undefined}
          emptyHint="No grants at this scope that you can see."
        />
      )}
      {here.length > 0 && (
        <Table data-testid="grants-table" verticalSpacing="xs" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Who</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Granted</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {here.map((g) => (
              <Table.Tr key={g.id}>
                <Table.Td>
                  <Group gap="xs">
                    <Badge size="xs" variant="outline" color={g.principal_type === "team" ? "grape" : "gray"}>
                      {g.principal_type}
                    </Badge>
                    <Text fz="sm" ff="monospace">
                      {g.principal}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td>{g.role}</Table.Td>
                <Table.Td>
                  <Text fz="sm">{formatTime(g.created_at)}</Text>
                </Table.Td>
                <Table.Td>
                  {manage && <ConfirmButton label="Revoke" subject={`${g.role} from ${g.principal}`} pending={revoke.isPending && revoke.variables === g.id} onConfirm={() => revoke.mutate(g.id)} />}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
