import { ActionIcon, Button, Group, Tooltip } from "@mantine/core";
import { useState } from "react";

/** A destructive action that asks once more in place: "Remove" → "Remove now" ×. */
export function ConfirmButton({ label, subject, onConfirm, pending }: { label: string; subject: string; onConfirm: () => void; pending: boolean }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button size="compact-xs" variant="subtle" color="red" onClick={() => setConfirming(true)} aria-label={`${label} ${subject}`}>
        {label}
      </Button>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      <Button size="compact-xs" color="red" loading={pending} onClick={onConfirm} aria-label={`Confirm: ${label.toLowerCase()} ${subject}`}>
        {label} now
      </Button>
      <Tooltip label="Cancel">
        <ActionIcon size="sm" variant="subtle" color="gray" onClick={() => setConfirming(false)} aria-label="Cancel">
          ×
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

/** A short, readable label for a grant: "Developer · workspace default". */
export function grantLabel(g: { role: string; scope_type: string; scope: string }): string {
  return g.scope_type === "organization" ? `${g.role} · organization` : `${g.role} · ${g.scope_type} ${g.scope}`;
}
