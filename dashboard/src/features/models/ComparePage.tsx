import { Alert, Anchor, Button, Group, Loader, Stack, Switch, Table, Text, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";

import { ApiError } from "../../api/client";
import { type ComparedVersion, type ComparisonRow, compareQueries } from "../../api/modelCompare";
import { downloadCsv, toCsv } from "../../lib/csv";
import { formatValue } from "../runs/columns";
import { formatTime } from "../runs/format";
import { SECTION_LABELS, cellText, comparisonCsv, differsFromBaseline, groupRows, parseVersions, versionLabel } from "./compare";
import { ArtifactsAcross } from "../compare/ArtifactsAcross";
import { StageBadge } from "./StageBadge";

const route = getRouteApi("/models/$model/compare");

/** A cell that differs from the baseline is tinted; the best value of a metric is bold with a star. */
const DIFFERS_BG = "var(--mantine-color-yellow-light)";

/** Rows whose values are long hashes: shown by their first characters, the whole hash on hover. */
const HASH_KEYS = new Set(["structure hash"]);

function Cell({ value, differs, best, hash }: { value: unknown; differs: boolean; best: boolean; hash: boolean }) {
  const full = typeof value === "number" ? formatValue(value) : cellText(value);
  const text = hash && full.length > 12 ? `${full.slice(0, 12)}…` : full;
  return (
    <Table.Td
      title={text !== full ? full : undefined}
      data-differs={differs || undefined}
      data-best={best || undefined}
      style={{
        background: differs ? DIFFERS_BG : undefined,
        fontVariantNumeric: "tabular-nums",
        textAlign: typeof value === "number" ? "right" : undefined,
        fontWeight: best ? 700 : undefined,
        maxWidth: 320,
        overflowWrap: "anywhere",
      }}
    >
      {value === null || value === undefined ? (
        <Text span c="dimmed" fz="sm">
          —
        </Text>
      ) : (
        text
      )}
      {best && (
        <Tooltip label="The best value of this metric">
          <Text span c="green" fz="sm" ml={4} aria-label="best">
            ★
          </Text>
        </Tooltip>
      )}
    </Table.Td>
  );
}

function Header({ model, v, baseline }: { model: string; v: ComparedVersion; baseline: boolean }) {
  return (
    <Table.Th style={{ whiteSpace: "nowrap", verticalAlign: "bottom" }} data-testid="compare-version" data-version={v.name}>
      <Stack gap={2}>
        <Group gap={6} wrap="nowrap">
          <Anchor fz="sm" ff="monospace" fw={700} renderRoot={(props) => <Link {...props} to="/models/$model/versions/$version" params={{ model, version: v.name }} />}>
            {versionLabel(v)}
          </Anchor>
          <StageBadge stage={v.stage} />
        </Group>
        <Text fz="xs" c="dimmed" fw={400}>
          {baseline ? "baseline · " : ""}
          {formatTime(v.created_at)}
        </Text>
      </Stack>
    </Table.Th>
  );
}

function Rows({ rows, width }: { rows: [ComparisonRow["section"], ComparisonRow[]][]; width: number }) {
  return (
    <Table.Tbody>
      {rows.map(([section, list]) => [
        <Table.Tr key={`s-${section}`} data-testid="compare-section">
          <Table.Td colSpan={width} style={{ background: "var(--mantine-color-default-hover)" }}>
            <Text fz="xs" fw={700} tt="uppercase" c="dimmed">
              {SECTION_LABELS[section]}
            </Text>
          </Table.Td>
        </Table.Tr>,
        ...list.map((row) => {
          const differs = differsFromBaseline(row);
          return (
            <Table.Tr key={`${section}-${row.key}`} data-testid="compare-row" data-section={section} data-key={row.key} data-row-differs={row.differs || undefined}>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                <Text span fz="sm" ff="monospace" fw={row.differs ? 600 : 400}>
                  {row.key}
                </Text>
              </Table.Td>
              {row.values.map((value, i) => (
                <Cell key={i} value={value} differs={differs[i] ?? false} best={row.best === i} hash={HASH_KEYS.has(row.key)} />
              ))}
            </Table.Tr>
          );
        }),
      ])}
    </Table.Tbody>
  );
}

/** Versions of a model side by side: a row per attribute grouped by section, a column per version. */
export function ComparePage() {
  const { model } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const versions = parseVersions(search.versions);
  const compared = useQuery(compareQueries.compare(model, versions));
  const diffOnly = !!search.diff;
  const back = <Anchor renderRoot={(props) => <Link {...props} to="/models/$model" params={{ model }} />}>{model}</Anchor>;

  if (versions.length < 2) {
    return (
      <Stack data-testid="compare-page">
        <Title order={2}>Compare versions of {back}</Title>
        <Text c="dimmed">Pick two or more versions on the model&apos;s page (the checkboxes of the versions table), then Compare.</Text>
      </Stack>
    );
  }
  if (compared.error) {
    return (
      <Stack data-testid="compare-page">
        <Title order={2}>Compare versions of {back}</Title>
        <Alert color="red" title="Could not compare the versions" role="alert">
          <Text fz="sm">{compared.error instanceof ApiError ? compared.error.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
        </Alert>
      </Stack>
    );
  }
  if (!compared.data) return <Loader aria-label="Loading the comparison" />;
  const data = compared.data;
  const groups = groupRows(data.rows, diffOnly);
  const differing = data.rows.filter((r) => r.differs).length;
  // The versions' linked artifacts, side by side with their visualizations.
  const artifactRows = data.rows.filter((r) => r.section === "artifacts").map((r) => ({ ...r, kind: "artifact" }));
  const columns = data.versions.map((v) => ({ id: v.id, name: versionLabel(v) }));
  const indexes = data.versions.map((_, i) => i);
  // The runs that made the versions, side by side with every parameter and metric of theirs.
  const runIds = [...new Set(data.versions.flatMap((v) => (v.run ? [v.run.id] : [])))];
  const exportCsv = () => {
    const csv = comparisonCsv(data.versions, diffOnly ? data.rows.filter((r) => r.differs) : data.rows);
    downloadCsv(`${data.model_name}-compare.csv`, toCsv(csv.header, csv.rows));
  };

  return (
    <Stack data-testid="compare-page" gap="sm">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>
            Compare {data.versions.length} versions of {back}
          </Title>
          <Text fz="sm" c="dimmed">
            {differing} of {data.rows.length} rows differ · cells unlike the baseline (the first column) are tinted · ★ the best value of a metric
          </Text>
        </Stack>
        <Group gap="sm">
          <Switch label="Differences only" checked={diffOnly} onChange={(e) => void navigate({ search: (prev) => ({ ...prev, diff: e.currentTarget.checked || undefined }), replace: true })} />
          <Button size="xs" variant="default" onClick={exportCsv}>
            Export CSV
          </Button>
          {runIds.length >= 2 && (
            <Button
              size="xs"
              variant="light"
              data-testid="compare-version-runs"
              renderRoot={(props) => <Link {...props} to="/compare" search={{ runs: runIds.join(",") }} />}
            >
              Compare their runs
            </Button>
          )}
        </Group>
      </Group>
      {data.unknown && data.unknown.length > 0 && (
        <Alert color="yellow" data-testid="compare-unknown">
          Not found, left out: {data.unknown.join(", ")}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={220 + data.versions.length * 160} type="native">
        <Table data-testid="compare-table" verticalSpacing={4} fz="sm" withColumnBorders stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th style={{ minWidth: 180 }}>Attribute</Table.Th>
              {data.versions.map((v, i) => (
                <Header key={v.id} model={model} v={v} baseline={i === 0} />
              ))}
            </Table.Tr>
          </Table.Thead>
          <Rows rows={groups} width={data.versions.length + 1} />
        </Table>
      </Table.ScrollContainer>
      {groups.length === 0 && <Text c="dimmed">{diffOnly ? "The versions do not differ." : "The versions have nothing to compare."}</Text>}
      <ArtifactsAcross rows={artifactRows} runs={columns} columns={indexes} picked={search.art} onPick={(art) => void navigate({ search: (prev) => ({ ...prev, art }), replace: true })} />
    </Stack>
  );
}
