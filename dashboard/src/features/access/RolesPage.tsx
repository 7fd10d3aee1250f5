import { Alert, Badge, Button, Group, Modal, SegmentedControl, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { type Level, type Role, accessKeys, accessQueries, createRole, deleteRole, updateRole } from "../../api/access";
import { ListStates } from "../../components/ListStates";
import { ConfirmButton } from "./ConfirmButton";
import { PermissionGrid } from "./PermissionGrid";
import { type Catalogue, catalogue as catalogueOf } from "./permissions";
import { useAccess } from "./useAccess";

const LEVELS: Level[] = ["organization", "workspace", "project"];
const NO_ROLES: Role[] = [];

/** A role's permissions in a grid: a built-in role only to read, a custom one to edit; a new one to name first. */
function RoleEditor({ role, catalogue, editable, onClose }: { role: Role | "new"; catalogue: Catalogue; editable: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const isNew = role === "new";
  const [name, setName] = useState(isNew ? "" : role.name);
  const [level, setLevel] = useState<Level>(isNew ? "project" : role.level);
  const [description, setDescription] = useState(isNew ? "" : (role.description ?? ""));
  const [permissions, setPermissions] = useState<string[]>(isNew ? [] : role.permissions);
  const save = useMutation({
    mutationFn: () =>
      isNew
        ? createRole({ name: name.trim(), level, permissions, description: description.trim() || null })
        : updateRole(role.id, { permissions, description: description.trim() || null }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKeys.all });
      onClose();
    },
  });
  const canEdit = editable && (isNew || !role.builtin);
  return (
    <Stack>
      {isNew ? (
        <Group align="flex-end" gap="xs">
          <TextInput label="Name" placeholder="Data Steward" required value={name} onChange={(e) => setName(e.currentTarget.value)} w={220} />
          <Stack gap={4}>
            <Text fz="sm" fw={500}>
              Level
            </Text>
            <SegmentedControl aria-label="Level" value={level} onChange={(v) => setLevel(v as Level)} data={LEVELS} />
          </Stack>
        </Group>
      ) : (
        <Text fz="sm" c="dimmed">
          {role.builtin ? "Built in: every server has it, and it cannot change." : "A custom role."} Granted at {role.level} level.
        </Text>
      )}
      {canEdit ? (
        <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
      ) : (
        !isNew && role.description && <Text fz="sm">{role.description}</Text>
      )}
      <PermissionGrid catalogue={catalogue} value={permissions} onChange={canEdit ? setPermissions : undefined} level={level} />
      <Text fz="xs" c="dimmed">
        {permissions.length} permission{permissions.length === 1 ? "" : "s"}. A role at a wider level holds in every workspace and project below it; dimmed rows grant nothing at this level.
      </Text>
      {save.error && (
        <Alert color="red" role="alert">
          {save.error.message}
        </Alert>
      )}
      {canEdit && (
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={save.isPending} disabled={isNew && !name.trim()} onClick={() => save.mutate()}>
            {isNew ? "Create role" : "Save"}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** Roles by level: built-in ones to read, custom ones to create, edit as a permission grid, and delete. */
export function RolesPage() {
  const access = useAccess();
  const queryClient = useQueryClient();
  const roles = useQuery(accessQueries.roles());
  const list = roles.data ?? NO_ROLES;
  const catalogue = useMemo(() => catalogueOf(list), [list]);
  const [open, setOpen] = useState<Role | "new">();
  const remove = useMutation({ mutationFn: deleteRole, onSettled: () => queryClient.invalidateQueries({ queryKey: accessKeys.all }) });
  const title = open === "new" ? "New role" : open ? `${open.name} (${open.level})` : "";
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Roles</Title>
        {access.can("role:create") && <Button onClick={() => setOpen("new")}>New role</Button>}
      </Group>
      <ListStates noun="roles" error={roles.error} onRetry={() => void roles.refetch()} pending={roles.isPending} empty={false} filtered={false} onClearFilter={() => undefined} emptyHint="" />
      {remove.error && (
        <Alert color="red" role="alert">
          {remove.error.message}
        </Alert>
      )}
      {LEVELS.map((level) => {
        const here = list.filter((r) => r.level === level);
        if (!here.length) return null;
        return (
          <Stack key={level} gap="xs">
            <Title order={4} tt="capitalize">
              {level} roles
            </Title>
            <Table data-testid={`roles-${level}`} verticalSpacing="xs" striped>
              <Table.Tbody>
                {here.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td w={220}>
                      <Group gap="xs" wrap="nowrap">
                        <Text fw={600}>{r.name}</Text>
                        {r.builtin ? <Badge variant="outline" color="gray" size="xs">built-in</Badge> : <Badge variant="light" size="xs">custom</Badge>}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {/* A custom role named without a description says what it holds instead of nothing. */}
                      <Text fz="sm" c="dimmed" ff={r.description?.trim() ? undefined : "monospace"}>
                        {r.description?.trim() ? r.description : r.permissions.join(", ")}
                      </Text>
                    </Table.Td>
                    <Table.Td w={120}>
                      <Text fz="sm">{r.permissions.length} permissions</Text>
                    </Table.Td>
                    <Table.Td w={190}>
                      <Group gap={4} wrap="nowrap" justify="flex-end">
                        <Button size="compact-xs" variant="light" onClick={() => setOpen(r)} aria-label={`${!r.builtin && access.can("role:update") ? "Edit" : "View"} ${r.level} role ${r.name}`}>
                          {!r.builtin && access.can("role:update") ? "Edit" : "View"}
                        </Button>
                        {!r.builtin && access.can("role:delete") && (
                          <ConfirmButton label="Delete" subject={`role ${r.name}`} pending={remove.isPending && remove.variables === r.id} onConfirm={() => remove.mutate(r.id)} />
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        );
      })}
      <Modal opened={open !== undefined} onClose={() => setOpen(undefined)} title={title} size="auto" centered>
        {open && <RoleEditor role={open} catalogue={catalogue} editable={open === "new" ? access.can("role:create") : access.can("role:update")} onClose={() => setOpen(undefined)} />}
      </Modal>
    </Stack>
  );
}
