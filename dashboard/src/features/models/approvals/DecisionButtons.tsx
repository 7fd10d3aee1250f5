import { Button, Group, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../../api/client";
import { type StageRequest, decideRequest } from "../../../api/modelApprovals";
import { modelKeys } from "../../../api/models";

/** The longest comment the server records (schemas/model_approvals.py TEXT_MAX). */
const MAX_COMMENT = 2000;

type Decision = "approve" | "reject";

function DecisionDialog({ request, decision, withdraw, onClose }: { request: StageRequest; decision: Decision; withdraw: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const decide = useMutation({
    mutationFn: () => decideRequest(request.id, decision, comment),
    onSuccess: () => onClose(),
    // Approved, rejected or decided meanwhile by someone else: the requests, holders and history are read again.
    onSettled: () => queryClient.invalidateQueries({ queryKey: modelKeys.all }),
  });
  const error = decide.error ? (decide.error instanceof ApiError ? decide.error.message : "The Waypost server did not answer; try again.") : undefined;
  const left = request.approvals_required - request.approvals;
  const label = withdraw ? "Withdraw" : decision === "approve" ? "Approve" : "Reject";
  return (
    <Stack>
      <Text fz="sm">
        Version <b>{request.version_name}</b> of <b>{request.model_name}</b> to <b>{request.to_stage}</b>
        {request.requested_by_name ? `, asked by ${request.requested_by_name}` : request.rule ? `, asked by rule ${request.rule}` : ""}.
      </Text>
      <Text fz="sm" c="dimmed">
        {withdraw
          ? "Withdrawing rejects your own request; nothing changes."
          : decision === "approve"
            ? left <= 1
              ? "Your approval completes the request: the version moves now."
              : `${left - 1} more approval${left - 1 === 1 ? "" : "s"} needed after yours.`
            : "Rejecting decides the request: nothing changes."}
      </Text>
      <Textarea
        label="Comment (optional)"
        placeholder={decision === "approve" ? "What you checked" : "Why not, and what would change your mind"}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        maxLength={MAX_COMMENT}
        rows={3}
        data-autofocus
      />
      {error && (
        <Text fz="sm" c="red" role="alert" data-testid="decision-error">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color={decision === "approve" ? "teal" : "red"} loading={decide.isPending} onClick={() => decide.mutate()}>
          {label}
        </Button>
      </Group>
    </Stack>
  );
}

interface Props {
  request: StageRequest;
  /** The caller's user id. */
  me: string | undefined;
  /** Whether the caller holds model:approve on the request's model. */
  canApprove: boolean;
}

/**
 * Approve and Reject for a pending request, to holders of model:approve, each opening a dialog with an
 * optional comment. The requester sees Withdraw instead (the server refuses their approval); one who voted sees their vote.
 */
export function DecisionButtons({ request, me, canApprove }: Props) {
  const [decision, setDecision] = useState<Decision | undefined>();
  if (request.status !== "pending") return null;
  const own = !!me && request.requested_by === me;
  const voted = (request.votes ?? []).find((v) => !!me && v.user_id === me);
  if (voted) {
    return (
      <Text fz="xs" c="dimmed" data-testid="request-voted">
        You {voted.decision === "approve" ? "approved" : "rejected"}
      </Text>
    );
  }
  // Rejecting, the requester's withdrawal included, needs model:approve too.
  if (!canApprove) return null;
  const what = `version ${request.version_name} of ${request.model_name} to ${request.to_stage}`;
  return (
    <>
      <Group gap={4} wrap="nowrap" justify="flex-end">
        {!own && (
          <Button size="compact-xs" color="teal" variant="light" onClick={() => setDecision("approve")} aria-label={`Approve ${what}`}>
            Approve
          </Button>
        )}
        <Button size="compact-xs" color="red" variant="subtle" onClick={() => setDecision("reject")} aria-label={`${own ? "Withdraw" : "Reject"} ${what}`}>
          {own ? "Withdraw" : "Reject"}
        </Button>
      </Group>
      <Modal
        opened={decision !== undefined}
        onClose={() => setDecision(undefined)}
        title={decision === undefined ? "" : `${own ? "Withdraw the request" : decision === "approve" ? "Approve" : "Reject"}: version ${request.version_name} to ${request.to_stage}`}
        centered
      >
        {decision && <DecisionDialog request={request} decision={decision} withdraw={own} onClose={() => setDecision(undefined)} />}
      </Modal>
    </>
  );
}
