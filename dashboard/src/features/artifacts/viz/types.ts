import type { components } from "../../../api/schema";

export type ArtifactVersion = components["schemas"]["ArtifactVersionRead"];
export type Visualization = components["schemas"]["VisualizationRef"];

export interface VizProps {
  version: ArtifactVersion;
  viz: Visualization;
  index: number;
}
