import { Alert, Badge, Button, Center, Group, Loader, Select, Stack, Table, Tabs, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { type FormEvent, useEffect, useMemo, useState } from "react";

import { accessQueries } from "../../api/access";
import { authQueries } from "../../api/auth";
import { AccessTree } from "./AccessTree";
import { accessTree } from "./permissions";
import { EXPLORER_RESOURCE_TYPES, type ExplorerResourceType } from "./search";
import { useAccess } from "./useAccess";

const route = getRouteApi("/settings/access");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function ByUser({ user, onPick }: { user: string | undefined; onPick: (user: string | undefined) => void }) {
  const access = useAccess();
  const me = useQuery(authQueries.me());
  const org = useQuery(accessQueries.organization());
  const readsMembers = access.anywhere("member:read");
  const users = useQuery({ ...accessQueries.users(), enabled: readsMembers });
  const who = user ?? me.data?.user.name;
  const explained = useQuery({ ...accessQueries.userAccess(who ?? ""), enabled: !!who });
  const tree = useMemo(() => (explained.data ? accessTree(explained.data.sources, org.data?.name) : undefined), [explained.data, org.data?.name]);
  return (
    <Stack>
      {readsMembers ? (
        <Select label="User" searchable data={(users.data ?? []).map((u) => u.name)} value={who ?? null} onChange={(v) => onPick(v ?? undefined)} w={280} allowDeselect={false} />
      ) : (
        <Text fz="sm" c="dimmed">
          Your own access. Seeing other members' needs the member:read permission.
        </Text>
      )}
      {explained.error && (
        <Alert color="red" role="alert">
          {explained.error.message}
        </Alert>
      )}
      {explained.isPending && !!who && (
        <Center py="md">
          <Loader size="sm" aria-label="Loading the access" />
        </Center>
      )}
      {tree && (tree.children.length || tree.sources.length ? <AccessTree root={tree} /> : <Text>{who} holds no role and no share.</Text>)}
    </Stack>
  );
}

function ByResource({ type, id, onPick }: { type: ExplorerResourceType | undefined; id: string | undefined; onPick: (type: ExplorerResourceType, id: string) => void }) {
  const [draftType, setDraftType] = useState<ExplorerResourceType>(type ?? "run");
  const [draftId, setDraftId] = useState(id ?? "");
  useEffect(() => setDraftId(id ?? ""), [id]);
  const valid = UUID.test(draftId.trim());
  const answer = useQuery({ ...accessQueries.resourceAccess(type ?? "run", id ?? ""), enabled: !!type && !!id && UUID.test(id) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid) onPick(draftType, draftId.trim());
  };
  return (
    <Stack>
      <form onSubmit={submit} aria-label="Pick a resource">
        <Group align="flex-end" gap="xs">
          <Select label="Type" data={[...EXPLORER_RESOURCE_TYPES]} value={draftType} onChange={(v) => setDraftType((v ?? "run") as ExplorerResourceType)} allowDeselect={false} w={140} />
          <TextInput label="Id" placeholder="the run's, pipeline's, artifact's or model's id" value={draftId} onChange={(e) => setDraftId(e.currentTarget.value)} w={360} error={draftId && !valid ? "An id looks like 0b6f…-…; copy it from the resource's page." : undefined} />
          <Button type="submit" disabled={!valid}>
            Show
          </Button>
        </Group>
      </form>
      {answer.error && (
        <Alert color="red" role="alert">
          {answer.error.message}
        </Alert>
      )}
      {answer.data && (
        <Stack gap="xs">
          <Text fz="sm">
            In project <b>{answer.data.project}</b>. These can act on it:
          </Text>
          <Table data-testid="resource-access-table" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Who</Table.Th>
                <Table.Th>Through</Table.Th>
                <Table.Th>May</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {answer.data.grants.map((g, i) => (
                <Table.Tr key={`g${i}`}>
                  <Table.Td>
                    {g.principal_type} <b>{g.principal}</b>
                  </Table.Td>
                  <Table.Td>
                    {g.role} at {g.scope_type === "organization" ? "the organization" : `${g.scope_type} ${g.scope}`}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {g.permissions.map((p) => (
                        <Badge key={p} size="xs" variant="default" tt="none">
                          {p.split(":")[1]}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              {answer.data.shares.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    {s.principal_type} <b>{s.principal}</b>
                  </Table.Td>
                  <Table.Td>shared with the {s.role} role</Table.Td>
                  <Table.Td>
                    <Text fz="xs" c="dimmed">
                      the role's {answer.data.resource_type} permissions
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}

/** Who may do what: pick a user for every permission and where it comes from, or a resource for who may use it. */
export function AccessExplorer() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return (
    <Stack>
      <Title order={2}>Access explorer</Title>
      <Tabs value={search.tab ?? "user"} onChange={(v) => void navigate({ search: (prev) => ({ ...prev, tab: v === "resource" ? "resource" : undefined }) })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="user">By user</Tabs.Tab>
          <Tabs.Tab value="resource">By resource</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="user" pt="md">
          <ByUser user={search.user} onPick={(user) => void navigate({ search: (prev) => ({ ...prev, user }) })} />
        </Tabs.Panel>
        <Tabs.Panel value="resource" pt="md">
          <ByResource type={search.type} id={search.id} onPick={(type, id) => void navigate({ search: (prev) => ({ ...prev, type, id }) })} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
