import { Group, Loader, Text } from "@mantine/core";

import type { VerifyResult } from "../../api/stacks";

/** A verify's result where it was asked: "✓ reached s3://bucket (120 ms)" or "✗ the exact failure". */
export function VerifyLine({ result, error, pending, label = "Verify" }: { result?: VerifyResult | undefined; error?: Error | null | undefined; pending?: boolean; label?: string }) {
  if (pending) {
    return (
      <Group gap={6} wrap="nowrap" role="status" aria-label={`${label}: checking`}>
        <Loader size={12} />
        <Text fz="xs" c="dimmed">
          Checking…
        </Text>
      </Group>
    );
  }
  if (error) {
    return (
      <Text fz="xs" c="red" role="alert" data-testid="verify-result" data-ok="false">
        ✗ {error.message}
      </Text>
    );
  }
  if (!result) return null;
  return (
    <Text fz="xs" c={result.ok ? "teal" : "red"} role={result.ok ? "status" : "alert"} data-testid="verify-result" data-ok={String(result.ok)} style={{ overflowWrap: "anywhere" }}>
      {result.ok ? "✓ " : "✗ "}
      {result.message}
      {result.ok && result.duration_ms ? ` (${Math.round(result.duration_ms)} ms)` : ""}
    </Text>
  );
}
