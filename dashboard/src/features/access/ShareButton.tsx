import { Alert, Badge, Button, Group, Modal, SegmentedControl, Select, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { type ShareableType, accessKeys, accessQueries, createShare, revokeShare } from "../../api/access";
import { ConfirmButton } from "./ConfirmButton";
import { can, canInProject } from "./permissions";
import { useAccess } from "./useAccess";

function ShareDialog({ type, id, name, onClose }: { type: ShareableType; id: string; name: string; onClose: () => void }) {
  const access = useAccess();
  const queryClient = useQueryClient();
  const shares = useQuery(accessQueries.shares(type, id));
  const users = useQuery({ ...accessQueries.users(), enabled: access.anywhere("member:read") });
  const teams = useQuery({ ...accessQueries.teams(), enabled: access.anywhere("team:read") });
  const roles = useQuery({ ...accessQueries.roles(), enabled: access.anywhere("role:read") });
  const [kind, setKind] = useState<"user" | "team">("user");
  const [who, setWho] = useState<string | null>(null);
  const [role, setRole] = useState<string>("Viewer");
  const refresh = () => queryClient.invalidateQueries({ queryKey: accessKeys.all });
  const add = useMutation({
    mutationFn: () => createShare(type, id, { role, [kind]: who }),
    onSuccess: async () => {
      setWho(null);
      await refresh();
    },
  });
  const remove = useMutation({ mutationFn: revokeShare, onSettled: refresh });
  const people = kind === "user" ? (users.data ?? []).filter((u) => u.is_active).map((u) => u.name) : (teams.data ?? []).map((t) => t.name);
  // A stack lives in a workspace and is shared with a workspace role (Viewer, Stack Admin); the rest with a project role.
  const level = type === "stack" ? "workspace" : "project";
  const projectRoles = (roles.data ?? []).filter((r) => r.level === level).map((r) => r.name);
  const error = add.error ?? remove.error ?? shares.error;
  return (
    <Stack>
      <Text fz="sm" c="dimmed">
        Sharing gives a user or team a {level} role on this {type} alone, wherever its {level} is closed to them.
      </Text>
      <Group align="flex-end" gap="xs">
        <SegmentedControl aria-label="Share with" value={kind} onChange={(v) => { setKind(v as "user" | "team"); setWho(null); }} data={[{ value: "user", label: "User" }, { value: "team", label: "Team" }]} />
        <Select label={kind === "user" ? "User" : "Team"} placeholder="Pick one" searchable data={people} value={who} onChange={setWho} w={200} />
        <Select label="Role" data={projectRoles.length ? projectRoles : ["Viewer"]} value={role} onChange={(v) => setRole(v ?? "Viewer")} allowDeselect={false} w={160} />
        <Button disabled={!who} loading={add.isPending} onClick={() => add.mutate()}>
          Share
        </Button>
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error.message}
        </Alert>
      )}
      {shares.data?.length === 0 && (
        <Text fz="sm" c="dimmed" ta="center" py="sm">
          {name} is not shared with anyone yet; its project's members see it anyway.
        </Text>
      )}
      {!!shares.data?.length && (
        <Table data-testid="shares-table" verticalSpacing={6}>
          <Table.Tbody>
            {shares.data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Group gap="xs">
                    <Badge size="xs" variant="outline" color={s.principal_type === "team" ? "grape" : "gray"}>
                      {s.principal_type}
                    </Badge>
                    <Text fz="sm" ff="monospace">
                      {s.principal}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td>{s.role}</Table.Td>
                <Table.Td ta="right">
                  <ConfirmButton label="Remove" subject={`share with ${s.principal}`} pending={remove.isPending && remove.variables === s.id} onConfirm={() => remove.mutate(s.id)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Done
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * "Share" on a run's, pipeline's, artifact's or stack's page, for those who hold `<type>:share` on it
 * (in its project, its workspace, the organization, or through a share of their own).
 */
export function ShareButton({
  type,
  id,
  name,
  projectId,
  workspaceId,
}: {
  type: ShareableType;
  id: string;
  name: string;
  projectId?: string | null | undefined;
  /** For a stack, which lives in a workspace rather than a project. */
  workspaceId?: string | undefined;
}) {
  const access = useAccess();
  const projects = useQuery(accessQueries.projects());
  const [opened, setOpened] = useState(false);
  const allowed = workspaceId
    ? can(access.me, `${type}:share`, { workspaceId, resource: { type, id } })
    : canInProject(access.me, `${type}:share`, projectId, projects.data, { type, id });
  if (!allowed) return null;
  return (
    <>
      <Button size="xs" variant="default" onClick={() => setOpened(true)}>
        Share
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={`Share ${type} ${name}`} size="lg" centered>
        {opened && <ShareDialog type={type} id={id} name={name} onClose={() => setOpened(false)} />}
      </Modal>
    </>
  );
}
