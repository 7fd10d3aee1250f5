import { Alert, Anchor, Box, Button, Text } from "@mantine/core";
import { Component, type ErrorInfo, type ReactNode, useCallback, useMemo, useState } from "react";

import { vizUrl } from "./api";
import { ChartViz, ConfusionMatrixViz, HeatmapViz } from "./ArrayViz";
import { VizReportContext } from "./hooks";
import { HtmlViz, ImageViz } from "./MediaViz";
import { formatBytes } from "./parse";
import { ClassificationReportViz, ProfileViz, ValidationViz } from "./ReportViz";
import { StatsViz } from "./StatsViz";
import { TableViz } from "./TableViz";
import { JsonViz, MarkdownViz, TextViz } from "./TextViz";
import type { ArtifactVersion, Visualization, VizProps } from "./types";

export type { ArtifactVersion, Visualization } from "./types";

// typed as string: plugins and newer servers may store kinds this dashboard doesn't know yet
const RENDERERS: Record<string, (props: VizProps) => ReactNode> = {
  table: TableViz,
  stats: StatsViz,
  chart: ChartViz,
  heatmap: HeatmapViz,
  image: ImageViz,
  text: TextViz,
  markdown: MarkdownViz,
  html: HtmlViz,
  json: JsonViz,
  confusion_matrix: ConfusionMatrixViz,
  classification_report: ClassificationReportViz,
  validation: ValidationViz,
  profile: ProfileViz,
};

class Boundary extends Component<{ onError: (message: string) => void; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: Error, _info: ErrorInfo) {
    this.props.onError(`This visualization could not be shown: ${error.message}`);
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

type State = { s: "loading" } | { s: "ready"; paintMs?: number } | { s: "error"; message: string; permanent?: boolean };

/** One stored visualization of an artifact version, with its own loading and error states. */
export function VisualizationView({ version, viz, index }: { version: ArtifactVersion; viz: Visualization; index: number }) {
  const [state, setState] = useState<State>({ s: "loading" });
  const [attempt, setAttempt] = useState(0);
  const report = useMemo(
    () => ({
      ready: (paintMs?: number) => setState((s) => (s.s === "error" ? s : { s: "ready", paintMs })),
      fail: (message: string, permanent?: boolean) => setState({ s: "error", message, permanent }),
    }),
    [],
  );
  const onError = useCallback((message: string) => report.fail(message), [report]);
  const type = String(viz.type);
  const Renderer = RENDERERS[type];
  const retry = () => {
    setState({ s: "loading" });
    setAttempt((a) => a + 1);
  };
  const known = Renderer !== undefined;
  const shownState = known ? state : { s: "error" as const, message: `This dashboard has no view for "${type}" visualizations; download the file to look at it.` };
  return (
    <Box
      data-testid="viz"
      data-type={type}
      data-index={index}
      data-state={shownState.s}
      data-paint-ms={shownState.s === "ready" && shownState.paintMs !== undefined ? Math.round(shownState.paintMs) : undefined}
      aria-busy={shownState.s === "loading"}
      style={{ minWidth: 0, position: "relative" }}
    >
      {/* the page around this shows the title and kind; the raw file stays one click away */}
      <Anchor href={vizUrl(version.id, index)} target="_blank" rel="noopener" fz="xs" c="dimmed" style={{ position: "absolute", right: 0, top: -26 }}>
        Raw file · {formatBytes(viz.size)}
      </Anchor>
      {shownState.s === "error" ? (
        <Alert color="red" variant="light" p="xs" data-testid="viz-error">
          <Text fz="sm">{shownState.message}</Text>
          {known && !("permanent" in shownState && shownState.permanent) ? (
            <Button size="compact-xs" variant="default" mt={6} onClick={retry}>
              Try again
            </Button>
          ) : null}
        </Alert>
      ) : null}
      {known && shownState.s !== "error" ? (
        <VizReportContext.Provider value={report}>
          <Boundary key={attempt} onError={onError}>
            <Renderer key={attempt} version={version} viz={viz} index={index} />
          </Boundary>
        </VizReportContext.Provider>
      ) : null}
    </Box>
  );
}
