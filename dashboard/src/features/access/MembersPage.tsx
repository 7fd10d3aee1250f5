import { Alert, Badge, Button, Code, CopyButton, Group, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { type User, accessKeys, accessQueries, deactivateUser } from "../../api/access";
import { type LoginLink, createLoginLink, inviteUser } from "../../api/users";
import { ListStates } from "../../components/ListStates";
import { formatTime } from "../runs/format";
import { ConfirmButton, grantLabel } from "./ConfirmButton";
import { useAccess } from "./useAccess";

const NO_USERS: User[] = [];

/** A one-time login link just made, for whom, and whether it came with an invite. */
type MadeLink = { name: string; link: LoginLink; invited: boolean };

function LinkShown({ made, onClose }: { made: MadeLink; onClose: () => void }) {
  const { name, link, invited } = made;
  return (
    <Alert color="green" title={invited ? `${name} is invited` : `A new login link for ${name}`} role="status" data-testid="login-link-shown" withCloseButton onClose={onClose} closeButtonLabel="Hide the link">
      <Stack gap="xs">
        <Text fz="sm">
          Send them this link privately: it logs them in once, until <b data-testid="login-link-expiry">{formatTime(link.expires_at)}</b>, and is shown only now.
          {invited ? " They then set their password (their name in the header → Change password)." : " Their password, if they have one, stays as it is."}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code data-testid="login-link" style={{ flex: 1, overflowWrap: "anywhere" }}>
            {link.url}
          </Code>
          <CopyButton value={link.url}>
            {({ copied, copy }) => (
              <Button size="xs" variant={copied ? "filled" : "light"} color={copied ? "teal" : undefined} onClick={copy}>
                {copied ? "Copied" : "Copy link"}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}

function InviteForm({ onInvited }: { onInvited: (made: MadeLink) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [fullName, setFullName] = useState("");
  const [email, setEmail] = useState("");
  const invite = useMutation({
    mutationFn: () => inviteUser({ name: name.trim(), full_name: fullName.trim() || null, email: email.trim() || null }),
    onSuccess: async ({ user, ...link }) => {
      onInvited({ name: user.name, link, invited: true });
      setName("");
      setFullName("");
      setEmail("");
      await queryClient.invalidateQueries({ queryKey: accessKeys.all });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };
  return (
    <Stack gap="xs">
      <form onSubmit={submit} aria-label="Invite a member">
        <Group align="flex-end" gap="xs">
          <TextInput label="Login name" placeholder="ana" required value={name} onChange={(e) => setName(e.currentTarget.value)} w={160} />
          <TextInput label="Full name" placeholder="Ana Lima" value={fullName} onChange={(e) => setFullName(e.currentTarget.value)} w={180} />
          <TextInput label="Email" placeholder="ana@example.com" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} w={220} />
          <Button type="submit" loading={invite.isPending} disabled={!name.trim()}>
            Invite
          </Button>
        </Group>
      </form>
      <Text fz="xs" c="dimmed">
        An invite is a one-time login link. New members start as organization Members and Developers of the default workspace; grant them more under Grants.
      </Text>
      {invite.error && (
        <Alert color="red" role="alert">
          {invite.error.message}
        </Alert>
      )}
    </Stack>
  );
}

/** Users and service accounts with their roles and teams; invite, login links and deactivate for those who manage members. */
export function MembersPage() {
  const access = useAccess();
  const queryClient = useQueryClient();
  const users = useQuery(accessQueries.users());
  const grants = useQuery(accessQueries.grants({}));
  const teams = useQuery({ ...accessQueries.teams(), enabled: access.anywhere("team:read") });
  const manage = access.can("member:manage_members");
  const deactivate = useMutation({ mutationFn: deactivateUser, onSettled: () => queryClient.invalidateQueries({ queryKey: accessKeys.all }) });
  const [made, setMade] = useState<MadeLink>();
  const freshLink = useMutation({ mutationFn: createLoginLink, onSuccess: (link, name) => setMade({ name, link, invited: false }) });
  // A login link logs its holder in as that person: an admin's is for organization Admins only (the server says so too).
  const mayLink = (u: User) => manage && u.is_active && !u.is_service_account && (!u.is_admin || !!access.me?.is_org_admin);
  const list = users.data ?? NO_USERS;
  const error = deactivate.error ?? freshLink.error;
  return (
    <Stack>
      <Title order={2}>Members</Title>
      {manage && (
        <InviteForm
          onInvited={(m) => {
            freshLink.reset();
            setMade(m);
          }}
        />
      )}
      {made && <LinkShown made={made} onClose={() => setMade(undefined)} />}
      {error && (
        <Alert color="red" role="alert">
          {error.message}
        </Alert>
      )}
      <ListStates
        noun="members"
        error={users.error}
        onRetry={() => void users.refetch()}
        pending={users.isPending}
        empty={!!users.data && list.length === 0}
        filtered={false}
        onClearFilter={() => undefined}
        emptyHint="No users yet."
      />
      {list.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table data-testid="members-table" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Teams</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>
                    <Text fz="sm" fw={600} ff="monospace">
                      {u.name}
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {[u.full_name, u.email, u.is_service_account ? "service account" : undefined].filter(Boolean).join(" · ")}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {grants.data
                        ?.filter((g) => g.principal_type === "user" && g.principal === u.name)
                        .map((g) => (
                          <Badge key={g.id} variant="light" color={g.scope_type === "organization" ? "violet" : g.scope_type === "workspace" ? "blue" : "teal"} tt="none">
                            {grantLabel(g)}
                          </Badge>
                        ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text fz="sm">{teams.data?.filter((t) => (t.members ?? []).includes(u.name)).map((t) => t.name).join(", ")}</Text>
                  </Table.Td>
                  <Table.Td>{u.is_active ? <Badge color="green" variant="dot">active</Badge> : <Badge color="gray" variant="dot">deactivated</Badge>}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      {mayLink(u) && (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          aria-label={`Login link for ${u.name}`}
                          loading={freshLink.isPending && freshLink.variables === u.name}
                          onClick={() => {
                            setMade(undefined);
                            freshLink.mutate(u.name);
                          }}
                        >
                          Login link
                        </Button>
                      )}
                      {manage && u.is_active && (
                        <ConfirmButton label="Deactivate" subject={u.name} pending={deactivate.isPending && deactivate.variables === u.name} onConfirm={() => deactivate.mutate(u.name)} />
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
