import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { MIN_PASSWORD_LENGTH, authKeys, authQueries, changePassword } from "../../api/auth";

/** What is wrong with the new password before it is sent, or undefined. */
export function newPasswordProblem(next: string, repeat: string): string | undefined {
  if (next.length < MIN_PASSWORD_LENGTH) return `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (next !== repeat) return "The two new passwords differ; type the same one twice.";
  return undefined;
}

/**
 * Change your password: the current one, the new one twice; the server's one-line errors shown as they come.
 * Someone invited by a login link has no password yet: they set their first without a current one.
 */
export function ChangePasswordModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const me = useQuery(authQueries.me());
  const first = me.data?.has_password === false;
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [tried, setTried] = useState(false);
  const mutation = useMutation({
    mutationFn: changePassword,
    onSuccess: async () => {
      setCurrent("");
      setNext("");
      setRepeat("");
      setTried(false);
      // The server revoked every API key of this user; and they have a password now.
      await queryClient.invalidateQueries({ queryKey: authKeys.all });
    },
  });
  const problem = newPasswordProblem(next, repeat);
  const close = () => {
    mutation.reset();
    setTried(false);
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problem) return;
    mutation.mutate(first ? { new_password: next } : { current_password: current, new_password: next });
  };
  return (
    <Modal opened={opened} onClose={close} title={first ? "Set your password" : "Change password"} centered>
      {mutation.isSuccess ? (
        <Stack>
          <Alert color="green" role="status" title={mutation.variables?.current_password === undefined ? "Password set" : "Password changed"}>
            Your other browser sessions have ended and your API keys are revoked: run <code>waypost login</code> again where you used them.
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} aria-label="Change password">
          <Stack>
            {first ? (
              <Text fz="sm">You logged in by a one-time link and have no password yet: choose one to log in with from now on.</Text>
            ) : (
              <PasswordInput label="Current password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.currentTarget.value)} data-autofocus />
            )}
            <PasswordInput
              label="New password"
              description={`At least ${MIN_PASSWORD_LENGTH} characters.`}
              autoComplete="new-password"
              required
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
            />
            <PasswordInput label="New password again" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.currentTarget.value)} />
            <Text fz="xs" c="dimmed">
              Changing it ends your other sessions and revokes your API keys.
            </Text>
            {tried && problem && (
              <Alert color="red" role="alert">
                {problem}
              </Alert>
            )}
            {mutation.error && (
              <Alert color="red" role="alert">
                {mutation.error.message}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={mutation.isPending}>
                {first ? "Set password" : "Change password"}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
