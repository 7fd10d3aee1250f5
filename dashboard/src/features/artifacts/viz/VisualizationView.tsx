import { Text } from "@mantine/core";

import type { components } from "../../../api/schema";

export type ArtifactVersion = components["schemas"]["ArtifactVersionRead"];
export type Visualization = components["schemas"]["VisualizationRef"];

/** One stored visualization of an artifact version (placeholder until the renderers land). */
export function VisualizationView({ version, viz, index }: { version: ArtifactVersion; viz: Visualization; index: number }) {
  return (
    <Text data-testid="viz" data-type={viz.type} data-index={index}>
      {viz.title ?? viz.type} of {version.name}
    </Text>
  );
}
