import { Button, Menu, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { type Me, logout } from "../../api/auth";
import { setSessionEnded } from "../../api/session";
import { ApiKeysModal } from "./ApiKeysModal";
import { ChangePasswordModal } from "./ChangePasswordModal";

/** The user's name in the header, opening: change password, my API keys, log out. */
export function AccountMenu({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<"password" | "keys">();
  const [opened, setOpened] = useState(false);
  const out = useMutation({
    mutationFn: logout,
    onSuccess: async () => {
      setOpened(false);
      setSessionEnded(true);
      // Nothing of this user's stays in memory (the header's name and the live stream go with
      // the caller's identity); the login form takes the page, and logging in refetches it all.
      await queryClient.resetQueries();
    },
  });
  const user = me.user;
  return (
    <>
      <Menu position="bottom-end" shadow="md" withArrow width={220} opened={opened} onChange={setOpened}>
        <Menu.Target>
          <Button
            variant="subtle"
            color="gray"
            size="xs"
            data-testid="user-name"
            aria-label={`Account of ${user.name}`}
            rightSection={
              <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
                <path d="m6 9 6 6 6-6" />
              </svg>
            }
          >
            {user.name}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>
            Signed in as {user.full_name ? `${user.full_name} (${user.name})` : user.name}
            {user.is_admin ? " · administrator" : ""}
          </Menu.Label>
          {me.via === "session" && <Menu.Item onClick={() => setDialog("password")}>Change password</Menu.Item>}
          <Menu.Item onClick={() => setDialog("keys")}>My API keys</Menu.Item>
          <Menu.Divider />
          {/* Stays open until the server answers, so a failure can be read here. */}
          <Menu.Item color="red" onClick={() => out.mutate()} disabled={out.isPending} closeMenuOnClick={false}>
            Log out
          </Menu.Item>
          {out.error && (
            <Text fz="xs" c="red" px="sm" pb={4} role="alert">
              {out.error.message}
            </Text>
          )}
        </Menu.Dropdown>
      </Menu>
      <ChangePasswordModal opened={dialog === "password"} onClose={() => setDialog(undefined)} />
      <ApiKeysModal opened={dialog === "keys"} onClose={() => setDialog(undefined)} />
    </>
  );
}
