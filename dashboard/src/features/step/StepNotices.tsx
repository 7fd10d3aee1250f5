import { Alert, Anchor, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";

import { runQueries } from "../../api/runs";
import { type StepRun, stepQueries } from "../../api/steps";
import "./logs.css";
import { cacheState, notRun } from "./stepState";

/** A link to a step of a run, opening the step panel there (on `tab` when given). */
export function StepLink({ runId, step, tab, children }: { runId: string; step: string; tab?: "logs"; children: ReactNode }) {
  return (
    <Anchor fz="sm" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId }} search={tab ? { step, tab } : { step }} />}>
      {children}
    </Anchor>
  );
}

/** Why a skipped (or stopped) step did not run, in a neutral box: nothing in it went wrong. */
export function NotRunNotice({ step }: { step: StepRun }) {
  const why = notRun(step);
  if (!why) return null;
  const upstream = why.upstream;
  return (
    <Alert role="status" color="gray" variant="light" title={why.kind === "skipped" ? "Skipped" : "Stopped"} data-testid="step-not-run" data-kind={why.kind}>
      <Text fz="sm" style={{ overflowWrap: "anywhere" }}>
        {why.kind === "skipped" && upstream ? (
          <>
            Skipped because upstream step{" "}
            <StepLink runId={step.run_id} step={upstream}>
              {upstream}
            </StepLink>{" "}
            {why.upstreamStatus ?? "did not succeed"}
            {why.upstreamStatus === "skipped" ? " too" : ""}. It did not run, so it has no logs or outputs.
          </>
        ) : why.kind === "skipped" ? (
          (why.message ?? "Skipped: an upstream step did not succeed.")
        ) : (
          (why.message ?? "The run was stopped before this step finished.")
        )}
      </Text>
    </Alert>
  );
}

/** The step run a cached step's outputs (and log) came from: its run and its name. */
function useCacheOrigin(step: StepRun) {
  const origin = useQuery({ ...stepQueries.byId(step.cached_from_step_run_id ?? ""), enabled: !!step.cached_from_step_run_id });
  const runId = step.cached_from_run_id ?? origin.data?.run_id ?? null;
  const run = useQuery({ ...runQueries.detail(runId ?? ""), enabled: !!runId });
  return { runId, runName: run.data?.name ?? runId?.slice(0, 8), stepName: origin.data?.name ?? step.name };
}

/**
 * The error of a failed step: type and message, and the traceback (wrapped, scrolling down only).
 * A skipped or stopped step is not an error: it gets a neutral notice saying why it did not run.
 */
export function StepError({ step }: { step: StepRun }) {
  if (notRun(step)) return <NotRunNotice step={step} />;
  if (!step.error_type && !step.error_message && !step.traceback) return null;
  return (
    <Alert color="red" title={step.error_type ?? "Error"} role="alert" data-testid="step-error" styles={{ body: { minWidth: 0 }, title: { overflowWrap: "anywhere" } }}>
      <Stack gap="xs">
        {step.error_message && (
          <Text fz="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
            {step.error_message}
          </Text>
        )}
        {step.traceback && <pre className="wp-traceback" data-testid="step-traceback">{step.traceback}</pre>}
      </Stack>
    </Alert>
  );
}

/** "Cached from run R, step S", both linked. */
function CachedFrom({ step }: { step: StepRun }) {
  const { runId, runName, stepName } = useCacheOrigin(step);
  if (!runId) return <Text fz="sm">Cache hit (the run it came from has been deleted)</Text>;
  return (
    <Text fz="sm" data-testid="cached-from" style={{ overflowWrap: "anywhere" }}>
      Cached from run{" "}
      <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId }} />}>
        {runName}
      </Anchor>
      {", step "}
      <StepLink runId={runId} step={stepName}>
        {stepName}
      </StepLink>
      : its outputs were reused, nothing ran.
    </Text>
  );
}

/** The Cache section's line: a hit and where from, caching off, or why it missed. */
export function CacheLine({ step }: { step: StepRun }) {
  const state = cacheState(step);
  switch (state.kind) {
    case "hit":
      return <CachedFrom step={step} />;
    case "disabled":
      return (
        <Text fz="sm" c="dimmed" data-testid="cache-state" data-kind="disabled">
          Caching is disabled for this step: it runs every time.
        </Text>
      );
    case "miss":
      return (
        <Text fz="sm" data-testid="cache-state" data-kind="miss" style={{ overflowWrap: "anywhere" }}>
          Ran (cache miss): <Text span fz="sm" c="dimmed">{state.reason}</Text>
        </Text>
      );
    case "not-checked":
      return (
        <Text fz="sm" c="dimmed" data-testid="cache-state" data-kind="not-checked">
          Not looked up: the step did not run.
        </Text>
      );
    default:
      return (
        <Text fz="sm" c="dimmed" data-testid="cache-state" data-kind="unknown">
          Ran (no cache reason recorded)
        </Text>
      );
  }
}

/** Above a cached step's log: the lines are the original run's, since this step did not run. */
export function CachedLogNotice({ step }: { step: StepRun }) {
  const { runId, runName, stepName } = useCacheOrigin(step);
  return (
    <Alert role="note" color="teal" variant="light" p="xs" data-testid="cached-log-notice">
      <Text fz="xs" style={{ overflowWrap: "anywhere" }}>
        This step came from the cache and did not run: the log below is the one written by{" "}
        {runId ? (
          <>
            step <StepLink runId={runId} step={stepName} tab="logs">{stepName}</StepLink> of run{" "}
            <Anchor fz="xs" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId }} />}>
              {runName}
            </Anchor>
          </>
        ) : (
          "the run that made its outputs (since deleted)"
        )}
        , which made its outputs.
      </Text>
    </Alert>
  );
}
