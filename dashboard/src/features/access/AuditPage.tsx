import { Alert, Anchor, Button, Code, Group, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";

import { accessQueries, auditExportUrl } from "../../api/access";
import { ApiError } from "../../api/client";
import { ListStates } from "../../components/ListStates";
import { type FilterVocabulary, quoteValue } from "../../lib/filter";
import { FilterBox } from "../runs/FilterBox";
import { formatTime } from "../runs/format";
import { AUDIT_PAGE_SIZE } from "./search";
import { useAccess } from "./useAccess";

const route = getRouteApi("/settings/audit");

/** The actions the log records (server/auth/trail.py, throttle.py), offered as `action:` values while typing. */
const ACTIONS = [
  "login.succeeded",
  "login.failed",
  "login.locked",
  "session.ended",
  "password.changed",
  "user.created",
  "user.updated",
  "user.deactivated",
  "login_link.created",
  "api_key.created",
  "api_key.revoked",
  "service_account.created",
  "service_account.deleted",
  "workspace.created",
  "workspace.deleted",
  "project.created",
  "project.deleted",
  "grant.created",
  "grant.revoked",
  "role.created",
  "role.updated",
  "role.deleted",
  "team.created",
  "team.deleted",
  "team.member_added",
  "team.member_removed",
  "share.created",
  "share.revoked",
  "stack.created",
  "stack.updated",
  "stack.deleted",
  "stack.worker_key_issued",
  "component.created",
  "component.updated",
  "component.deleted",
  "secret.created",
  "secret.updated",
  "secret.deleted",
  "connector.created",
  "connector.updated",
  "connector.deleted",
  "run.deleted",
  "run.stopped",
  "model.stage_changed",
  "model.stage_requested",
  "model.request_approved",
  "model.request_rejected",
  "model.approval_policy_changed",
  "model.rule_created",
  "model.rule_updated",
  "model.rule_deleted",
  "model.version_tagged",
];

function details(d: Record<string, unknown>): string {
  const entries = Object.entries(d);
  return entries.length ? entries.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ") : "";
}

/** The audit log, for those with audit_log:read: filter, pages, and a CSV of what matches. */
export function AuditPage() {
  const access = useAccess();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const q = search.q ?? "";
  const page = search.page ?? 1;
  const allowed = access.can("audit_log:read");
  const events = useQuery({ ...accessQueries.audit({ q, page, size: AUDIT_PAGE_SIZE }), enabled: allowed });
  const vocabulary: FilterVocabulary = useMemo(() => ({ keys: ["action", "actor", "target", "address", "created"], values: { action: ACTIONS, created: ["1h", "24h", "7d", "30d"] } }), []);

  if (access.loaded && !allowed) {
    return (
      <Alert color="yellow" title="The audit log is for administrators" role="alert">
        Reading it needs the audit_log:read permission in the organization; ask an organization Admin.
      </Alert>
    );
  }
  const filterError = events.error instanceof ApiError && (events.error.status === 400 || events.error.status === 422) ? events.error.message : undefined;
  const data = filterError ? undefined : events.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.size)) : 1;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Audit log</Title>
        <Button component="a" href={auditExportUrl(q)} size="xs" variant="default" download>
          Export CSV
        </Button>
      </Group>
      <FilterBox
        label="Filter the audit log"
        placeholder="Filter: action:login.failed actor:ana created>7d"
        query={q}
        vocabulary={vocabulary}
        error={filterError}
        onSearch={(next) => void navigate({ search: (prev) => ({ ...prev, q: next || undefined, page: undefined }) })}
      />
      <ListStates
        noun="audit events"
        error={filterError ? undefined : events.error}
        onRetry={() => void events.refetch()}
        pending={events.isPending && allowed}
        empty={!!data && data.total === 0}
        filtered={!!q}
        onClearFilter={() => void navigate({ search: (prev) => ({ ...prev, q: undefined, page: undefined }) })}
        emptyHint="Nothing recorded yet."
      />
      {data && data.total > 0 && (
        <>
          <Text fz="sm" c="dimmed">
            {data.total} event{data.total === 1 ? "" : "s"}, newest first
          </Text>
          <Table.ScrollContainer minWidth={800}>
            <Table data-testid="audit-table" striped verticalSpacing={6} fz="sm" style={{ opacity: events.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>From</Table.Th>
                  <Table.Th>Details</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td title={e.created_at} style={{ whiteSpace: "nowrap" }}>
                      {formatTime(e.created_at)}
                    </Table.Td>
                    <Table.Td>
                      <Code>{e.action}</Code>
                    </Table.Td>
                    <Table.Td>
                      {e.actor_name ? (
                        <Anchor component="button" fz="sm" title={`Only ${e.actor_name}'s events`} onClick={() => void navigate({ search: (prev) => ({ ...prev, q: `actor:${quoteValue(e.actor_name ?? "")}`, page: undefined }) })}>
                          {e.actor_name}
                        </Anchor>
                      ) : (
                        <Text span c="dimmed" fz="sm" title="Nobody logged in (a failed login, say)">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{e.target}</Table.Td>
                    <Table.Td ff="monospace">{e.client_address}</Table.Td>
                    <Table.Td>
                      <Text fz="xs" c="dimmed" ff="monospace" lineClamp={2}>
                        {details(e.details)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {pages > 1 && (
            <Group justify="flex-end">
              <Pagination total={pages} value={page} onChange={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}
