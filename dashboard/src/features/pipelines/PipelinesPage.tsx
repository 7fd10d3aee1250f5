import { Title } from "@mantine/core";

/** Every pipeline (placeholder until the pipelines list lands). */
export function PipelinesPage() {
  return <Title order={2}>Pipelines</Title>;
}
