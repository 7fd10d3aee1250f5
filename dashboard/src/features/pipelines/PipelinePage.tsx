import { Title } from "@mantine/core";
import { getRouteApi } from "@tanstack/react-router";

const route = getRouteApi("/pipelines/$pipeline");

/** One pipeline (placeholder until the pipeline page lands). */
export function PipelinePage() {
  const { pipeline } = route.useParams();
  return <Title order={2}>{pipeline}</Title>;
}
