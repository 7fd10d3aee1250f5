import { Badge, Text } from "@mantine/core";

const COLORS: Record<string, string> = { production: "green", staging: "yellow", archived: "gray", latest: "blue" };

/** A version's stage as a coloured badge; a version in no stage shows a dash. */
export function StageBadge({ stage }: { stage: string }) {
  if (stage === "none") {
    return (
      <Text fz="xs" c="dimmed" data-testid="stage-badge" data-stage="none">
        —
      </Text>
    );
  }
  return (
    <Badge size="sm" variant="light" color={COLORS[stage] ?? "gray"} tt="none" miw="max-content" data-testid="stage-badge" data-stage={stage}>
      {stage}
    </Badge>
  );
}
