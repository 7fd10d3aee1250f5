import { Alert, Badge, Button, Card, Checkbox, Group, Loader, NumberInput, Radio, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../../api/client";
import { approvalKeys, approvalQueries } from "../../../api/modelApprovals";
import {
  type Model,
  type ModelApprovalPolicy,
  type ModelApprovalPolicyUpdate,
  type SettableStage,
  modelKeys,
  projectApprovalPolicyQuery,
  setModelApprovalPolicy,
} from "../../../api/models";

/** The most approvals a policy may ask for (schemas/model_approvals.py MAX_APPROVALS). */
export const MAX_APPROVALS = 20;
/** The stages in the order the form lists them. */
const ORDER: readonly SettableStage[] = ["production", "staging", "archived", "none"];
const LABELS: Record<SettableStage, string> = { production: "Production", staging: "Staging", archived: "Archived", none: "None" };
/** How a stage reads in a sentence: "moving a version to production or to no stage". */
const IN_SENTENCE: Record<SettableStage, string> = { production: "production", staging: "staging", archived: "archived", none: "no stage" };
const SOURCES: Record<ModelApprovalPolicy["source"], { label: string; color: string; text: string }> = {
  model: { label: "model's own policy", color: "blue", text: "This model's own policy is in force; its project's does not apply to it." },
  project: { label: "project's policy", color: "grape", text: "The model follows its project's policy." },
  none: { label: "no policy", color: "gray", text: "Neither the model nor its project has a policy." },
};

const approvalsLabel = (n: number) => `${n} approval${n === 1 ? "" : "s"}`;

function sentenceList(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** One sentence saying what a policy asks for. */
export function describePolicy(policy: { stages?: readonly string[] | null; approvals_required: number }): string {
  const stages = ORDER.filter((s) => policy.stages?.includes(s));
  if (stages.length === 0) return "No stage change needs approval.";
  return `Moving a version to ${sentenceList(stages.map((s) => IN_SENTENCE[s]))} needs ${approvalsLabel(policy.approvals_required)}.`;
}

interface Draft {
  follow: boolean;
  stages: SettableStage[];
  /** What the number field holds ("" while it is empty). */
  approvals: number | string;
}

function draftOf(policy: ModelApprovalPolicy): Draft {
  return { follow: policy.source !== "model", stages: ORDER.filter((s) => policy.stages?.includes(s)), approvals: policy.approvals_required };
}

/** Why the draft cannot be sent, or undefined. */
export function draftProblem(draft: Draft): string | undefined {
  if (draft.follow) return undefined;
  const n = draft.approvals;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_APPROVALS) return `Approvals required must be a whole number from 1 to ${MAX_APPROVALS}.`;
  return undefined;
}

/** What to send for `draft`, or undefined when it asks for the policy in force already. */
export function policyChange(policy: ModelApprovalPolicy, draft: Draft): ModelApprovalPolicyUpdate | undefined {
  if (draft.follow) return policy.source === "model" ? { stages: null, approvals_required: policy.approvals_required } : undefined;
  const stages = ORDER.filter((s) => draft.stages.includes(s));
  const approvals = Number(draft.approvals);
  const same = policy.source === "model" && approvals === policy.approvals_required && stages.join() === draftOf(policy).stages.join();
  return same ? undefined : { stages, approvals_required: approvals };
}

/** The project's policy, in a sentence, for the "Use the project's policy" choice. */
function ProjectPolicy({ projectId }: { projectId: string | null | undefined }) {
  const project = useQuery({ ...projectApprovalPolicyQuery(projectId ?? ""), enabled: !!projectId });
  let text: string;
  if (project.error) text = `Could not read the project's policy: ${project.error instanceof ApiError ? project.error.message : "the Waypost server did not answer."}`;
  else if (!project.data) text = "Reading the project's policy…";
  else if (project.data.source === "none") text = "The project has no policy: no stage change needs approval.";
  else text = `The project's policy: ${describePolicy(project.data)}`;
  return (
    <Text span fz="sm" c={project.error ? "red" : "dimmed"} data-testid="project-approval-policy">
      {text}
    </Text>
  );
}

function PolicyEditor({ model, policy, projectId, onSaved }: { model: Model; policy: ModelApprovalPolicy; projectId: string | null | undefined; onSaved: (message: string | undefined) => void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy));
  const problem = draftProblem(draft);
  const change = problem ? undefined : policyChange(policy, draft);
  const edit = (next: Partial<Draft>) => {
    onSaved(undefined);
    setDraft((d) => ({ ...d, ...next }));
  };
  const save = useMutation({
    mutationFn: (body: ModelApprovalPolicyUpdate) => setModelApprovalPolicy(model.id, body),
    onSuccess: async (saved) => {
      onSaved(saved.source === "model" ? `Saved: ${describePolicy(saved)}` : `Saved: the model follows its project's policy. ${describePolicy(saved)}`);
      queryClient.setQueryData(approvalKeys.policy(model.id), saved);
      await queryClient.invalidateQueries({ queryKey: modelKeys.all });
    },
  });
  return (
    <Stack gap="sm">
      <Radio.Group label="Whose policy" value={draft.follow ? "project" : "own"} onChange={(v) => edit({ follow: v === "project" })}>
        <Stack gap="xs" mt={6}>
          <Radio value="project" label="Use the project's policy" description={<ProjectPolicy projectId={projectId} />} />
          <Radio value="own" label="Set this model's own policy" description="Applies to this model only, whatever its project's policy says." />
        </Stack>
      </Radio.Group>
      {!draft.follow && (
        <Stack gap="sm" pl={32} data-testid="own-policy">
          <Checkbox.Group label="Moving a version to these stages needs approval" value={draft.stages} onChange={(v) => edit({ stages: v as SettableStage[] })}>
            <Group gap="lg" mt={6}>
              {ORDER.map((s) => (
                <Checkbox key={s} value={s} label={s === "none" ? "None (out of every stage)" : LABELS[s]} />
              ))}
            </Group>
          </Checkbox.Group>
          <NumberInput
            label="Approvals required"
            value={draft.approvals}
            onChange={(v) => edit({ approvals: v })}
            min={1}
            max={MAX_APPROVALS}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            disabled={draft.stages.length === 0}
            w={140}
          />
          <Text fz="xs" c="dimmed" mt={-6}>
            {draft.stages.length === 0
              ? "With no stage ticked, no stage change of this model needs approval, whatever its project's policy."
              : `1 to ${MAX_APPROVALS}, each from a user holding model:approve other than the one who asked.`}
          </Text>
        </Stack>
      )}
      {problem && (
        <Text fz="sm" c="red" role="alert">
          {problem}
        </Text>
      )}
      {save.error && (
        <Text fz="sm" c="red" role="alert" data-testid="approval-policy-error">
          {save.error instanceof ApiError ? save.error.message : "The Waypost server did not answer; try again."}
        </Text>
      )}
      <Group gap="sm">
        <Button loading={save.isPending} disabled={!change} onClick={() => change && save.mutate(change)}>
          Save policy
        </Button>
        {(change || problem) && (
          <Button
            variant="subtle"
            color="gray"
            onClick={() => {
              save.reset();
              setDraft(draftOf(policy));
            }}
          >
            Discard changes
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/**
 * A model's approval policy: the one in force and whose it is; for holders of model:approve a choice between
 * the project's policy and the model's own (its stages and how many approvals), saved with one PATCH.
 */
export function ApprovalPolicyForm({ model, projectId, canApprove }: { model: Model; projectId: string | null | undefined; canApprove: boolean }) {
  const policy = useQuery(approvalQueries.policy(model.id));
  const [saved, setSaved] = useState<string | undefined>();
  const p = policy.data;
  const source = p ? SOURCES[p.source] : undefined;
  return (
    <Card withBorder padding="md" data-testid="approval-policy">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Title order={4}>Approval policy</Title>
            <Text fz="sm" c="dimmed">
              Which stage changes wait for approval, and how many approvals they need.
            </Text>
          </div>
          {p && source && (
            <Badge variant="light" color={source.color} tt="none" miw="max-content" data-testid="approval-policy-source" data-source={p.source}>
              {source.label}
            </Badge>
          )}
        </Group>
        {policy.error ? (
          <Text fz="sm" c="red" role="alert">
            {policy.error instanceof ApiError ? policy.error.message : "Could not load the approval policy; is `waypost up` running?"}
          </Text>
        ) : !p || !source ? (
          <Loader size="sm" aria-label="Loading the approval policy" />
        ) : (
          <>
            <Alert variant="light" color={source.color} p="sm" role="note" data-testid="approval-policy-summary">
              <Text fz="sm" fw={600}>
                {describePolicy(p)}
              </Text>
              <Text fz="xs" c="dimmed">
                {source.text}
              </Text>
            </Alert>
            {saved && (
              <Alert variant="light" color="teal" p="xs" role="status" data-testid="approval-policy-saved" withCloseButton onClose={() => setSaved(undefined)} closeButtonLabel="Dismiss">
                <Text fz="sm">{saved}</Text>
              </Alert>
            )}
            {canApprove ? (
              // Remounted when the saved policy changes, so the form starts from what the server holds.
              <PolicyEditor key={`${p.source}:${(p.stages ?? []).join()}:${p.approvals_required}`} model={model} policy={p} projectId={projectId} onSaved={setSaved} />
            ) : (
              <Stack gap={4} data-testid="approval-policy-readonly">
                {p.source === "model" && <ProjectPolicy projectId={projectId} />}
                <Text fz="sm" c="dimmed">
                  Only users holding model:approve on this model can change its approval policy.
                </Text>
              </Stack>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}
