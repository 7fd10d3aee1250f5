import { Alert, Badge, Button, Card, CloseButton, Group, MultiSelect, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { type Team, accessKeys, accessQueries, addTeamMembers, createTeam, deleteTeam, removeTeamMember } from "../../api/access";
import { ListStates } from "../../components/ListStates";
import { ConfirmButton } from "./ConfirmButton";
import { useAccess } from "./useAccess";

function useRefresh() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: accessKeys.all });
}

function NewTeam({ people }: { people: string[] }) {
  const refresh = useRefresh();
  const [name, setName] = useState("");
  const [members, setMembers] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () => createTeam({ name: name.trim(), members }),
    onSuccess: async () => {
      setName("");
      setMembers([]);
      await refresh();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Create a team">
      <Group align="flex-end" gap="xs">
        <TextInput label="New team" placeholder="ml-platform" required value={name} onChange={(e) => setName(e.currentTarget.value)} w={200} />
        <MultiSelect label="Members" placeholder="Pick users" data={people} value={members} onChange={setMembers} searchable w={320} />
        <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
          Create team
        </Button>
      </Group>
      {create.error && (
        <Alert color="red" role="alert" mt="xs">
          {create.error.message}
        </Alert>
      )}
    </form>
  );
}

function TeamCard({ team, people, manage, remove }: { team: Team; people: string[]; manage: boolean; remove: boolean }) {
  const refresh = useRefresh();
  const [adding, setAdding] = useState<string | null>(null);
  const add = useMutation({ mutationFn: (user: string) => addTeamMembers(team.name, [user]), onSuccess: () => setAdding(null), onSettled: refresh });
  const drop = useMutation({ mutationFn: (user: string) => removeTeamMember(team.name, user), onSettled: refresh });
  const del = useMutation({ mutationFn: () => deleteTeam(team.name), onSettled: refresh });
  const error = add.error ?? drop.error ?? del.error;
  const members = team.members ?? [];
  return (
    <Card withBorder padding="sm" data-testid={`team-${team.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700} ff="monospace">
            {team.name}
          </Text>
          {remove && <ConfirmButton label="Delete" subject={`team ${team.name}`} pending={del.isPending} onConfirm={() => del.mutate()} />}
        </Group>
        {team.description && (
          <Text fz="sm" c="dimmed">
            {team.description}
          </Text>
        )}
        <Group gap={6}>
          {members.length === 0 && (
            <Text fz="sm" c="dimmed">
              No members yet.
            </Text>
          )}
          {members.map((m) => (
            <Badge
              key={m}
              variant="light"
              tt="none"
              rightSection={manage ? <CloseButton size="xs" aria-label={`Remove ${m} from ${team.name}`} onClick={() => drop.mutate(m)} /> : undefined}
            >
              {m}
            </Badge>
          ))}
        </Group>
        {manage && (
          <Select
            aria-label={`Add a member to ${team.name}`}
            placeholder="Add a member…"
            size="xs"
            searchable
            data={people.filter((p) => !members.includes(p))}
            value={adding}
            onChange={(user) => {
              setAdding(user);
              if (user) add.mutate(user);
            }}
          />
        )}
        {error && (
          <Text fz="xs" c="red" role="alert">
            {error.message}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** Teams and their members: create, add and remove members, delete; each control only for those allowed. */
export function TeamsPage() {
  const access = useAccess();
  const teams = useQuery(accessQueries.teams());
  const users = useQuery({ ...accessQueries.users(), enabled: access.anywhere("member:read") });
  const people = (users.data ?? []).filter((u) => u.is_active).map((u) => u.name);
  const manage = access.can("team:manage_members");
  return (
    <Stack>
      <Title order={2}>Teams</Title>
      {access.can("team:create") && <NewTeam people={people} />}
      <ListStates
        noun="teams"
        error={teams.error}
        onRetry={() => void teams.refetch()}
        pending={teams.isPending}
        empty={teams.data?.length === 0}
        filtered={false}
        onClearFilter={() => undefined}
        emptyHint="No teams yet. A team holds roles for all its members at once."
      />
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
        {teams.data?.map((t) => <TeamCard key={t.id} team={t} people={people} manage={manage} remove={access.can("team:delete")} />)}
      </SimpleGrid>
    </Stack>
  );
}
