import { Alert, Button, Modal, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { login } from "../api/auth";
import { csrfToken, setSessionEnded, useSessionEnded } from "../api/session";

/** Shown over any page once the server answers 401; logging in retries what failed. */
export function SessionEnded() {
  const ended = useSessionEnded();
  // The readable CSRF cookie outlives an expired session: it tells "ended" from "never logged in".
  const hadSession = csrfToken() !== undefined;
  const queryClient = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const mutation = useMutation({
    mutationFn: login,
    onSuccess: async () => {
      setSessionEnded(false);
      setPassword("");
      await queryClient.invalidateQueries();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ username, password });
  };
  return (
    <Modal
      opened={ended}
      onClose={() => undefined}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      title={hadSession ? "Your session ended — log in again" : "Log in to Waypost"}
      centered
    >
      <form onSubmit={submit} aria-label="Log in">
        <Stack>
          <TextInput
            label="Username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {mutation.error && (
            <Alert color="red" role="alert">
              {mutation.error.message}
            </Alert>
          )}
          <Button type="submit" loading={mutation.isPending}>
            Log in
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
