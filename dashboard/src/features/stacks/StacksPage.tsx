import { Anchor, Badge, Button, Group, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";

import { COMPONENT_TYPES, type Stack as StackRead, setActiveStack, stackKeys, stackQueries, typeLabel } from "../../api/stacks";
import { ListStates } from "../../components/ListStates";
import { useAccess } from "../access/useAccess";
import { StacksNav } from "./StacksNav";
import { StackBuilder } from "./StackBuilder";
import { typeColor } from "./TypeIcon";
import { useStackAccess } from "./useStackAccess";

const route = getRouteApi("/stacks");

/** A stack's components as small chips: "orchestrator local · default". */
export function ComponentChips({ stack }: { stack: StackRead }) {
  return (
    <Group gap={4}>
      {COMPONENT_TYPES.filter((t) => stack.components[t]).map((t) => {
        const c = stack.components[t];
        return c ? (
          <Tooltip key={t} label={`${typeLabel(t)} ${c.name}, flavor ${c.flavor}${c.connector ? `, connector ${c.connector}` : ""}`}>
            <Badge variant="light" color={typeColor(t)} tt="none" fw={500} size="sm" data-testid="component-chip">
              {typeLabel(t)}: {c.name} <Text span fz={10} c="dimmed">({c.flavor})</Text>
            </Badge>
          </Tooltip>
        ) : null;
      })}
    </Group>
  );
}

/** "you" first, then the others: whose active stack it is in this workspace. */
export function ActiveFor({ users, me }: { users: readonly string[]; me: string | undefined }) {
  if (!users.length) return <Text fz="xs" c="dimmed">—</Text>;
  const sorted = [...users].sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
  return (
    <Group gap={4}>
      {sorted.map((u) => (
        <Badge key={u} size="sm" variant={u === me ? "filled" : "outline"} color="blue" tt="none">
          {u === me ? `${u} (you)` : u}
        </Badge>
      ))}
    </Group>
  );
}

/** The workspace's stacks: their components, whose active stack each is; a new one built in place. */
export function StacksPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const queryClient = useQueryClient();
  const access = useAccess();
  const stackAccess = useStackAccess();
  const stacks = useQuery(stackQueries.stacks());
  const activate = useMutation({ mutationFn: setActiveStack, onSettled: () => queryClient.invalidateQueries({ queryKey: stackKeys.all }) });
  const me = access.me?.user;
  const mayCreate = stackAccess.can("stack:create");
  return (
    <Stack>
      <StacksNav />
      <Group justify="space-between">
        <Title order={2}>Stacks</Title>
        {mayCreate && !search.build && (
          <Button onClick={() => void navigate({ search: (prev) => ({ ...prev, build: true }) })}>New stack</Button>
        )}
      </Group>
      <Text fz="sm" c="dimmed">
        A stack is the infrastructure a pipeline runs on: one component per type. Runs use your active stack unless told otherwise
        (<code>waypost stack set NAME</code>, or <code>waypost run --stack NAME</code> for one run).
      </Text>
      {search.build && mayCreate && (
        <StackBuilder
          canCreateComponents={mayCreate}
          onCancel={() => void navigate({ search: (prev) => ({ ...prev, build: undefined }) })}
          onDone={(made) => void navigate({ to: "/stacks/$stack", params: { stack: made.name }, search: (prev) => ({ ...prev, build: undefined }) })}
        />
      )}
      <ListStates
        noun="stacks"
        error={stacks.error}
        onRetry={() => void stacks.refetch()}
        pending={stacks.isPending}
        empty={stacks.data?.length === 0}
        filtered={false}
        onClearFilter={() => undefined}
        emptyHint="No stacks you may see in this workspace."
      />
      {activate.error && (
        <Text fz="sm" c="red" role="alert">
          {activate.error.message}
        </Text>
      )}
      {!!stacks.data?.length && (
        <Table data-testid="stacks-table" verticalSpacing="xs" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Components</Table.Th>
              <Table.Th>Active for</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {stacks.data.map((s) => (
              <Table.Tr key={s.id} data-testid={`stack-row-${s.name}`}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Anchor ff="monospace" fw={600} renderRoot={(props) => <Link {...props} to="/stacks/$stack" params={{ stack: s.name }} />}>
                      {s.name}
                    </Anchor>
                    {s.is_default && (
                      <Badge size="xs" variant="outline" color="gray">
                        default
                      </Badge>
                    )}
                  </Group>
                  {s.description && (
                    <Text fz="xs" c="dimmed">
                      {s.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <ComponentChips stack={s} />
                </Table.Td>
                <Table.Td>
                  <ActiveFor users={s.active_for ?? []} me={me} />
                </Table.Td>
                <Table.Td ta="right">
                  {me && !(s.active_for ?? []).includes(me) && (
                    <Button size="compact-xs" variant="subtle" loading={activate.isPending && activate.variables === s.name} onClick={() => activate.mutate(s.name)}>
                      Make my active stack
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
