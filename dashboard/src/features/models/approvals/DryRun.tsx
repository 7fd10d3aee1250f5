import { Loader, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";

import { ApiError } from "../../../api/client";
import { type PromotionRule, approvalKeys, dryRunRule } from "../../../api/modelApprovals";
import { StageBadge } from "../StageBadge";

const num = (v: number | null | undefined) => (v === null || v === undefined ? "—" : String(Number(v.toPrecision(6))));

/** The versions a rule would promote now, with the metric compared and the holder beaten; nothing changes. */
export function DryRun({ model, rule }: { model: string; rule: PromotionRule }) {
  // A POST that changes nothing: read like a query, again each time the dialog opens.
  const run = useQuery({ queryKey: [...approvalKeys.rules(model), "dry-run", rule.name], queryFn: () => dryRunRule(model, rule.name), gcTime: 0, retry: false });
  if (run.error) {
    return (
      <Text fz="sm" c="red" role="alert">
        {run.error instanceof ApiError ? run.error.message : "The Waypost server did not answer; try again."}
      </Text>
    );
  }
  if (!run.data) return <Loader aria-label="Trying the rule" />;
  const { matches, checked } = run.data;
  return (
    <Stack gap="xs" data-testid="dry-run">
      <Text fz="sm" data-testid="dry-run-summary">
        {checked} version{checked === 1 ? "" : "s"} matched the filter; {matches.length === 0 ? "none" : matches.length} would go to {run.data.to_stage}. Nothing changed.
      </Text>
      {matches.length > 0 && (
        <Table fz="sm" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Stage now</Table.Th>
              {rule.beats && <Table.Th>{rule.beats.metric}</Table.Th>}
              {rule.beats && <Table.Th>Beats ({rule.beats.stage})</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {matches.map((m) => (
              <Table.Tr key={m.version_id} data-testid="dry-run-row" data-version={m.version_name}>
                <Table.Td ff="monospace" fw={600}>
                  {m.version_name}
                </Table.Td>
                <Table.Td>
                  <StageBadge stage={m.stage} />
                </Table.Td>
                {rule.beats && <Table.Td ff="monospace">{num(m.metric)}</Table.Td>}
                {rule.beats && (
                  <Table.Td ff="monospace">{m.holder ? `version ${m.holder}: ${num(m.holder_metric)}` : <Text span c="dimmed">nobody holds it</Text>}</Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
