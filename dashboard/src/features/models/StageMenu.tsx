import { Button, Group, Menu, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../api/client";
import { approvalQueries, requestStage } from "../../api/modelApprovals";
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

/** "1 approval", "2 approvals". */
export const approvalsLabel = (n: number) => `${n} approval${n === 1 ? "" : "s"}`;

/** The approvals a 409 from PUT .../stage says the stage needs ("… in production needs 2 approvals; request it …"). */
export function approvalsNeeded(message: string): number | undefined {
  const m = /needs (\d+) approvals?; request it/.exec(message);
  return m ? Number(m[1]) : undefined;
}

interface DialogProps {
  target: StageTarget;
  to: SettableStage;
  /** How many approvals the stage needs (the policy's, or a 409's); undefined: none. */
  approvals: number | undefined;
  onApprovalNeeded: (approvals: number) => void;
  onClose: () => void;
}

function StageDialog({ target, to, approvals, onApprovalNeeded, onClose }: DialogProps) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [waiting, setWaiting] = useState<number | undefined>();
  const holder = target.holders[to];
  // Another version holds the stage, as the page knew it or as the server answered (a 409).
  const [replacing, setReplacing] = useState<string | undefined>(EXCLUSIVE.includes(to) && holder && holder !== target.version ? holder : undefined);
  const asking = approvals !== undefined;
  const change = useMutation({
    mutationFn: async (force: boolean) => {
      if (!asking) {
        await setVersionStage(target.model, target.version, { stage: to, force, reason });
        return undefined;
      }
      const result = await requestStage(target.model, target.version, { stage: to, force, reason });
      return result.outcome === "pending" ? (result.request?.approvals_required ?? approvals) : undefined;
    },
    onSuccess: (pending) => (pending === undefined ? onClose() : setWaiting(pending)),
    onError: (error) => {
      if (!(error instanceof ApiError) || error.status !== 409) return;
      const needed = approvalsNeeded(error.message);
      // The stage needs approval after all (the policy changed, or was not known): ask instead.
      if (needed !== undefined) onApprovalNeeded(needed);
      // The 409 names the holder ("Version 3 of model 'iris' is in production; …").
      else setReplacing((known) => known ?? /^Version (\S+) of model/.exec(error.message)?.[1] ?? "another version");
    },
    // Either way the model is read again: its holders, versions, requests and history changed (or were changed by someone else).
    onSettled: () => queryClient.invalidateQueries({ queryKey: modelKeys.all }),
  });
  const error = change.error ? (change.error instanceof ApiError ? change.error.message : "The Waypost server did not answer; try again.") : undefined;
  const needed = change.error instanceof ApiError && approvalsNeeded(change.error.message) !== undefined;
  if (waiting !== undefined) {
    return (
      <Stack>
        <Text fz="sm" role="status" data-testid="stage-requested">
          Requested: waiting for {approvalsLabel(waiting)}.
        </Text>
        <Text fz="sm" c="dimmed">
          Version {target.version} moves to {to} once approved; the request shows under Pending requests on this page.
        </Text>
        <Group justify="flex-end">
          <Button onClick={onClose}>Close</Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text fz="sm">
        {replacing ? (
          <>
            Version <b>{replacing}</b> holds {to} now; it moves to archived and version <b>{target.version}</b> takes its place
            {asking ? " once approved" : ""}.
          </>
        ) : to === "none" ? (
          <>
            Version <b>{target.version}</b> leaves {target.stage}
            {asking ? " once approved" : ""}.
          </>
        ) : (
          <>
            Version <b>{target.version}</b> moves from {target.stage} to {to}
            {asking ? " once approved" : ""}.
          </>
        )}
      </Text>
      {asking && (
        <Text fz="sm" c="dimmed" data-testid="stage-needs-approval">
          {LABELS[to]} needs {approvalsLabel(approvals)} from users holding model:approve (not you).
        </Text>
      )}
      <Textarea
        label={asking ? "Reason (the approvers read it)" : "Reason (optional)"}
        placeholder="Why, for whoever reads the history later"
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        maxLength={MAX_STAGE_REASON}
        rows={3}
        data-autofocus
      />
      {error && !needed && (
        <Text fz="sm" c="red" role="alert" data-testid="stage-error">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color={replacing ? "orange" : undefined} loading={change.isPending} onClick={() => change.mutate(!!replacing)}>
          {asking
            ? `Request ${LABELS[to].toLowerCase()}`
            : replacing
              ? `Replace version ${replacing === "another version" ? "" : replacing}`.trim()
              : `Move to ${LABELS[to].toLowerCase()}`}
        </Button>
      </Group>
    </Stack>
  );
}

/** A version's stage menu (Staging, Production, Archived, None) with a dialog that confirms the change. */
export function StageMenu({ target }: { target: StageTarget }) {
  const [to, setTo] = useState<SettableStage | undefined>();
  // Read when a stage is picked; a policy that cannot be read leaves it to the server's 409.
  const policy = useQuery({ ...approvalQueries.policy(target.model), enabled: to !== undefined });
  const [learned, setLearned] = useState<number | undefined>();
  const fromPolicy = to && policy.data?.stages?.includes(to) ? (policy.data.approvals_required ?? 1) : undefined;
  const approvals = learned ?? fromPolicy;
  const close = () => {
    setTo(undefined);
    setLearned(undefined);
  };
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
      <Modal
        opened={to !== undefined}
        onClose={close}
        title={!to ? "" : approvals !== undefined ? `Request approval: version ${target.version} to ${LABELS[to].toLowerCase()}` : `Move version ${target.version} to ${LABELS[to].toLowerCase()}?`}
        centered
      >
        {to && <StageDialog target={target} to={to} approvals={approvals} onApprovalNeeded={setLearned} onClose={close} />}
      </Modal>
    </>
  );
}
