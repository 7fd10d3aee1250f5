import { Anchor, Badge, Button, Card, Center, Group, Loader, Popover, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";

import { ApiError } from "../../api/client";
import { runQueries } from "../../api/runs";
import { type Stack as StackRead, copyStack, deleteStack, setActiveStack, stackKeys, stackQueries, updateStack, verifyStack } from "../../api/stacks";
import { ErrorState } from "../../components/ErrorState";
import { StatusBadge } from "../../components/StatusBadge";
import { ConfirmButton } from "../access/ConfirmButton";
import { ShareButton } from "../access/ShareButton";
import { useAccess } from "../access/useAccess";
import { filterValue } from "../run/RunFacts";
import { formatTime } from "../runs/format";
import { Architecture } from "./Architecture";
import { nameProblem } from "./ComponentForm";
import { StackBuilder } from "./StackBuilder";
import { ActiveFor } from "./StacksPage";
import { StacksNav } from "./StacksNav";
import { useStackAccess } from "./useStackAccess";

const route = getRouteApi("/stacks/$stack");
const RUNS_SHOWN = 10;

/** A name asked for in place (rename, copy): the popover's one field, checked before it is sent. */
function NamePopover({ label, initial, onSubmit, pending, error, reset }: { label: string; initial: string; onSubmit: (name: string) => void; pending: boolean; error: Error | null; reset: () => void }) {
  const [opened, setOpened] = useState(false);
  const [name, setName] = useState(initial);
  const problem = name === initial ? undefined : nameProblem(name);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem && name !== initial) onSubmit(name.trim());
  };
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      withArrow
      trapFocus
      onOpen={() => {
        setName(initial);
        reset();
      }}
    >
      <Popover.Target>
        <Button size="xs" variant="default" onClick={() => setOpened((o) => !o)}>
          {label}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <form onSubmit={submit} aria-label={label}>
          <Stack gap="xs" w={260}>
            <TextInput label="New name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={problem ?? error?.message} data-autofocus />
            <Group justify="flex-end">
              <Button type="submit" size="xs" loading={pending} disabled={!!problem || name === initial}>
                {label}
              </Button>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}

function UsedBy({ stack }: { stack: StackRead }) {
  const q = `stack:${filterValue(stack.name)}`;
  const runs = useQuery(runQueries.list({ q, page: 1, size: RUNS_SHOWN }));
  return (
    <Card withBorder padding="sm">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={700}>Runs on this stack</Text>
          {!!runs.data?.total && (
            <Anchor fz="sm" renderRoot={(props) => <Link {...props} to="/runs" search={{ q }} />}>
              All {runs.data.total} runs on {stack.name}
            </Anchor>
          )}
        </Group>
        {runs.error && (
          <Text fz="sm" c="red" role="alert">
            {runs.error.message}
          </Text>
        )}
        {runs.data?.items.length === 0 && (
          <Text fz="sm" c="dimmed">
            No run has used this stack yet.
          </Text>
        )}
        {!!runs.data?.items.length && (
          <Table verticalSpacing={4} data-testid="stack-runs">
            <Table.Tbody>
              {runs.data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: r.id }} />}>
                      {r.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={r.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text fz="xs" c="dimmed">
                      {formatTime(r.started_at ?? r.created_at)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}

/** One stack: its components drawn as its architecture, verify in place, who uses it, the runs that did; changes for those allowed. */
export function StackPage() {
  const { stack: name } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const queryClient = useQueryClient();
  const access = useAccess();
  const stackAccess = useStackAccess();
  const stack = useQuery(stackQueries.stack(name));
  const refresh = () => queryClient.invalidateQueries({ queryKey: stackKeys.all });
  const verify = useMutation({ mutationFn: () => verifyStack(name) });
  const rename = useMutation({
    mutationFn: (to: string) => updateStack(name, { name: to }),
    onSuccess: async (changed) => {
      await refresh();
      void navigate({ to: "/stacks/$stack", params: { stack: changed.name }, search: (prev) => prev, replace: true });
    },
  });
  const copy = useMutation({
    mutationFn: (to: string) => copyStack(name, to),
    onSuccess: async (made) => {
      await refresh();
      void navigate({ to: "/stacks/$stack", params: { stack: made.name }, search: (prev) => prev });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteStack(name),
    onSuccess: async () => {
      await refresh();
      void navigate({ to: "/stacks", search: (prev) => ({ project: (prev as { project?: string }).project }) });
    },
  });
  const activate = useMutation({ mutationFn: () => setActiveStack(name), onSettled: refresh });

  if (stack.error && !(stack.error instanceof ApiError && stack.error.status === 401)) {
    return (
      <Stack>
        <StacksNav />
        <ErrorState title={stack.error instanceof ApiError && stack.error.status === 404 ? "No such stack" : "Could not load this stack"} error={stack.error} onRetry={() => void stack.refetch()} />
      </Stack>
    );
  }
  if (!stack.data) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the stack" />
      </Center>
    );
  }
  const s = stack.data;
  const resource = { type: "stack", id: s.id };
  const mayUpdate = stackAccess.can("stack:update", resource);
  const mayCreate = stackAccess.can("stack:create", resource);
  const mayDelete = stackAccess.can("stack:delete", resource);
  const me = access.me?.user;
  const error = verify.error ?? remove.error ?? activate.error;
  return (
    <Stack>
      <StacksNav />
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="xs">
            <Title order={3} ff="monospace" data-testid="stack-name">
              {s.name}
            </Title>
            {s.is_default && (
              <Badge variant="outline" color="gray">
                default
              </Badge>
            )}
          </Group>
          {s.description && (
            <Text fz="sm" c="dimmed">
              {s.description}
            </Text>
          )}
          <Group gap="xs">
            <Text fz="sm" c="dimmed">
              Active for
            </Text>
            <ActiveFor users={s.active_for ?? []} me={me} />
          </Group>
        </Stack>
        <Group gap="xs">
          <Button size="xs" onClick={() => verify.mutate()} loading={verify.isPending}>
            Verify
          </Button>
          {me && !(s.active_for ?? []).includes(me) && (
            <Button size="xs" variant="default" onClick={() => activate.mutate()} loading={activate.isPending}>
              Make my active stack
            </Button>
          )}
          {mayUpdate && !search.edit && (
            <Button size="xs" variant="default" onClick={() => void navigate({ search: (prev) => ({ ...prev, edit: true }) })}>
              Change components
            </Button>
          )}
          {mayUpdate && !s.is_default && <NamePopover label="Rename" initial={s.name} onSubmit={(n) => rename.mutate(n)} pending={rename.isPending} error={rename.error} reset={rename.reset} />}
          {mayCreate && <NamePopover label="Copy" initial={`${s.name}-copy`} onSubmit={(n) => copy.mutate(n)} pending={copy.isPending} error={copy.error} reset={copy.reset} />}
          <ShareButton type="stack" id={s.id} name={s.name} workspaceId={s.workspace_id} />
          {mayDelete && !s.is_default && <ConfirmButton label="Delete" subject={`stack ${s.name}`} pending={remove.isPending} onConfirm={() => remove.mutate()} />}
        </Group>
      </Group>
      {error && (
        <Text fz="sm" c="red" role="alert">
          {error.message}
        </Text>
      )}
      {verify.data && (
        <Text fz="sm" c={Object.values(verify.data).every((r) => r.ok) ? "teal" : "red"} role="status" data-testid="stack-verify-summary">
          {Object.values(verify.data).every((r) => r.ok)
            ? "Every component was reached."
            : `${Object.values(verify.data).filter((r) => !r.ok).length} of ${Object.keys(verify.data).length} components failed; see each below.`}
        </Text>
      )}
      {search.edit && mayUpdate ? (
        <StackBuilder
          stack={s}
          canCreateComponents={mayCreate}
          onCancel={() => void navigate({ search: (prev) => ({ ...prev, edit: undefined }) })}
          onDone={() => {
            verify.reset();
            void navigate({ search: (prev) => ({ ...prev, edit: undefined }) });
          }}
        />
      ) : (
        <Card withBorder padding="md">
          <Architecture components={s.components} results={verify.data} />
        </Card>
      )}
      <UsedBy stack={s} />
    </Stack>
  );
}
