import { Badge, Button, Group, Loader, Modal, Stack, Switch, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../../api/client";
import { type PromotionRule, approvalKeys, approvalQueries, deleteRule, updateRule } from "../../../api/modelApprovals";
import { ConfirmButton } from "../../access/ConfirmButton";
import { StageBadge } from "../StageBadge";
import { DryRun } from "./DryRun";
import { RuleForm } from "./RuleForm";

type Open = { kind: "add" } | { kind: "edit"; rule: PromotionRule } | { kind: "dry-run"; rule: PromotionRule };

function RuleRow({ model, rule, canUpdate, onOpen }: { model: string; rule: PromotionRule; canUpdate: boolean; onOpen: (open: Open) => void }) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: approvalKeys.rules(model) });
  const toggle = useMutation({ mutationFn: (enabled: boolean) => updateRule(model, rule.name, { enabled }), onSettled: refresh });
  const remove = useMutation({ mutationFn: () => deleteRule(model, rule.name), onSettled: refresh });
  const failed = toggle.error ?? remove.error;
  return (
    <Table.Tr data-testid="rule-row" data-rule={rule.name}>
      <Table.Td ff="monospace" fw={600}>
        {rule.name}
      </Table.Td>
      <Table.Td ff="monospace" style={{ overflowWrap: "anywhere", maxWidth: 360 }}>
        {rule.filter || <Text span c="dimmed">every version</Text>}
      </Table.Td>
      <Table.Td>
        <StageBadge stage={rule.to_stage} />
      </Table.Td>
      <Table.Td>{rule.beats ? `${rule.beats.stage}'s ${rule.beats.metric}` : <Text span c="dimmed">—</Text>}</Table.Td>
      <Table.Td>
        {canUpdate ? (
          <Switch size="xs" checked={rule.enabled} disabled={toggle.isPending} onChange={(e) => toggle.mutate(e.currentTarget.checked)} aria-label={`Rule ${rule.name} enabled`} />
        ) : (
          <Badge size="sm" variant="light" color={rule.enabled ? "teal" : "gray"}>
            {rule.enabled ? "enabled" : "disabled"}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap" justify="flex-end">
          <Button size="compact-xs" variant="light" onClick={() => onOpen({ kind: "dry-run", rule })} aria-label={`Dry run ${rule.name}`}>
            Dry run
          </Button>
          {canUpdate && (
            <>
              <Button size="compact-xs" variant="subtle" onClick={() => onOpen({ kind: "edit", rule })} aria-label={`Edit ${rule.name}`}>
                Edit
              </Button>
              <ConfirmButton label="Delete" subject={rule.name} pending={remove.isPending} onConfirm={() => remove.mutate()} />
            </>
          )}
        </Group>
        {failed && (
          <Text fz="xs" c="red" role="alert">
            {failed instanceof ApiError ? failed.message : "The Waypost server did not answer; try again."}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** A model's promotion rules, in the order they are tried; add, edit and delete for model:update; a dry run for anyone. */
export function RulesTab({ model, metrics, canUpdate }: { model: string; metrics: readonly string[]; canUpdate: boolean }) {
  const rules = useQuery(approvalQueries.rules(model));
  const [open, setOpen] = useState<Open | undefined>();
  const close = () => setOpen(undefined);
  if (rules.error) {
    return (
      <Text c="red" fz="sm" role="alert">
        {rules.error instanceof ApiError ? rules.error.message : "Could not load the rules."}
      </Text>
    );
  }
  if (!rules.data) return <Loader aria-label="Loading the rules" />;
  const title = !open ? "" : open.kind === "add" ? "Add a promotion rule" : open.kind === "edit" ? `Edit rule ${open.rule.name}` : `Dry run of ${open.rule.name}`;
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text fz="sm" c="dimmed" maw={720}>
          A rule puts a version in a stage when its metadata matches the filter and, optionally, it beats a stage&apos;s holder on a metric. The first enabled rule that matches fires.
        </Text>
        {canUpdate && (
          <Button size="xs" onClick={() => setOpen({ kind: "add" })}>
            Add rule
          </Button>
        )}
      </Group>
      {rules.data.length === 0 ? (
        <Text c="dimmed" fz="sm" data-testid="rules-empty">
          No promotion rules yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table data-testid="rules-table" verticalSpacing="xs" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Filter</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Beats</Table.Th>
                <Table.Th>Enabled</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rules.data.map((r) => (
                <RuleRow key={r.id} model={model} rule={r} canUpdate={canUpdate} onOpen={setOpen} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={open !== undefined} onClose={close} title={title} size={open?.kind === "dry-run" ? "lg" : "md"} centered>
        {open?.kind === "dry-run" ? <DryRun model={model} rule={open.rule} /> : open ? <RuleForm model={model} rule={open.kind === "edit" ? open.rule : undefined} metrics={metrics} onDone={close} /> : null}
      </Modal>
    </Stack>
  );
}
