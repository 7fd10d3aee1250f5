import { Alert, Button, Group, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { accessQueries } from "../../api/access";
import { graphKeys } from "../../api/graph";
import { type Run, runKeys, stopRun } from "../../api/runs";
import { canInProject } from "../access/permissions";
import { useAccess } from "../access/useAccess";

/** The longest reason the server records (schemas/store_api.py MAX_STOP_REASON). */
export const MAX_STOP_REASON = 500;

function StopDialog({ run, onClose }: { run: Run; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const stop = useMutation({
    mutationFn: () => stopRun(run.id, reason),
    onSuccess: () => onClose(),
    // Either way the run is read again: stopped now, or ended meanwhile (the 409 the dialog shows).
    // Its graph too: its running steps were stopped with it.
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: runKeys.all }), queryClient.invalidateQueries({ queryKey: graphKeys.detail(run.id) })]),
  });
  return (
    <Stack>
      <Text fz="sm">
        {run.name} and its running steps are marked stopped now; the process or cluster that launched it cancels the steps at its next heartbeat. Steps that already finished keep their results.
      </Text>
      <Textarea label="Reason (optional)" placeholder="Why, for whoever reads this run later" value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={MAX_STOP_REASON} rows={3} data-autofocus />
      {stop.error && (
        <Alert color="red" role="alert" title="Could not stop the run">
          {stop.error.message}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color="red" loading={stop.isPending} onClick={() => stop.mutate()}>
          Stop run
        </Button>
      </Group>
    </Stack>
  );
}

/** "Stop run" in a run's header while it is going, for those who hold run:update on it. */
export function StopRunButton({ run }: { run: Run }) {
  const access = useAccess();
  const projects = useQuery(accessQueries.projects());
  const [opened, setOpened] = useState(false);
  const going = run.status === "running" || run.status === "initializing";
  const allowed = canInProject(access.me, "run:update", run.project_id, projects.data, { type: "run", id: run.id });
  // An open dialog stays while the run ends under it, so its answer (a 409) can still be read.
  if (!opened && !(going && allowed)) return null;
  return (
    <>
      {going && allowed && (
        <Button size="xs" color="red" variant="light" onClick={() => setOpened(true)}>
          Stop run
        </Button>
      )}
      <Modal opened={opened} onClose={() => setOpened(false)} title={`Stop run ${run.name}?`} centered>
        {opened && <StopDialog run={run} onClose={() => setOpened(false)} />}
      </Modal>
    </>
  );
}
