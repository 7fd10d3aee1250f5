import { Button, Group, Menu, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../api/client";
import { type SettableStage, modelKeys, setVersionStage } from "../../api/models";
import { STAGES } from "./search";

/** The longest reason the server records (schemas/models.py ModelStageChange). */
export const MAX_STAGE_REASON = 2000;
/** Stages only one version of a model may hold. */
const EXCLUSIVE: readonly string[] = ["staging", "production"];
const LABELS: Record<SettableStage, string> = { staging: "Staging", production: "Production", archived: "Archived", none: "None" };

export interface StageTarget {
  model: string;
  version: string;
  stage: string;
  /** Which version holds each exclusive stage now (ModelRead.stages). */
  holders: Record<string, string>;
}

function StageDialog({ target, to, onClose }: { target: StageTarget; to: SettableStage; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const holder = target.holders[to];
  // Another version holds the stage, as the page knew it or as the server answered (a 409).
  const [replacing, setReplacing] = useState<string | undefined>(EXCLUSIVE.includes(to) && holder && holder !== target.version ? holder : undefined);
  const change = useMutation({
    mutationFn: (force: boolean) => setVersionStage(target.model, target.version, { stage: to, force, reason }),
    onSuccess: () => onClose(),
    onError: (error) => {
      // The 409 names the holder ("Version 3 of model 'iris' is in production; …").
      if (error instanceof ApiError && error.status === 409) setReplacing((known) => known ?? /^Version (\S+) of model/.exec(error.message)?.[1] ?? "another version");
    },
    // Either way the model is read again: its holders, versions and history changed (or were changed by someone else).
    onSettled: () => queryClient.invalidateQueries({ queryKey: modelKeys.all }),
  });
  const error = change.error ? (change.error instanceof ApiError ? change.error.message : "The Waypost server did not answer; try again.") : undefined;
  return (
    <Stack>
      <Text fz="sm">
        {replacing ? (
          <>
            Version <b>{replacing}</b> holds {to} now; it moves to archived and version <b>{target.version}</b> takes its place.
          </>
        ) : to === "none" ? (
          <>
            Version <b>{target.version}</b> leaves {target.stage}.
          </>
        ) : (
          <>
            Version <b>{target.version}</b> moves from {target.stage} to {to}.
          </>
        )}
      </Text>
      <Textarea
        label="Reason (optional)"
        placeholder="Why, for whoever reads the history later"
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        maxLength={MAX_STAGE_REASON}
        rows={3}
        data-autofocus
      />
      {error && (
        <Text fz="sm" c="red" role="alert" data-testid="stage-error">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color={replacing ? "orange" : undefined} loading={change.isPending} onClick={() => change.mutate(!!replacing)}>
          {replacing ? `Replace version ${replacing === "another version" ? "" : replacing}`.trim() : `Move to ${LABELS[to].toLowerCase()}`}
        </Button>
      </Group>
    </Stack>
  );
}

/** A version's stage menu (Staging, Production, Archived, None) with a dialog that confirms the change. */
export function StageMenu({ target }: { target: StageTarget }) {
  const [to, setTo] = useState<SettableStage | undefined>();
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button size="compact-xs" variant="subtle" aria-label={`Change the stage of version ${target.version}`} data-testid="stage-menu">
            Stage ▾
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Move version {target.version} to</Menu.Label>
          {[...STAGES.filter((s) => s !== "none"), "none" as const].map((stage) => (
            <Menu.Item key={stage} disabled={stage === target.stage} onClick={() => setTo(stage)}>
              {LABELS[stage]}
              {EXCLUSIVE.includes(stage) && target.holders[stage] && target.holders[stage] !== target.version ? (
                <Text span fz="xs" c="dimmed">
                  {" "}
                  (replaces {target.holders[stage]})
                </Text>
              ) : null}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Modal opened={to !== undefined} onClose={() => setTo(undefined)} title={to ? `Move version ${target.version} to ${LABELS[to].toLowerCase()}?` : ""} centered>
        {to && <StageDialog target={target} to={to} onClose={() => setTo(undefined)} />}
      </Modal>
    </>
  );
}
