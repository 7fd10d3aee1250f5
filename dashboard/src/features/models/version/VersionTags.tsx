import { useQueryClient } from "@tanstack/react-query";

import { type ModelVersion, modelKeys } from "../../../api/models";
import { changeVersionTags, modelVersionKeys } from "../../../api/modelVersions";
import { TagsEditor } from "../../../components/TagsEditor";

interface Props {
  version: ModelVersion;
  /** The key the page read the version under (its URL's model and version), to update it in place. */
  queryKey: ReturnType<typeof modelVersionKeys.detail>;
  canUpdate: boolean;
}

/** The version's tags; with model:update, a × on each to take it off and a field to put one on. */
export function VersionTags({ version, queryKey, canUpdate }: Props) {
  const queryClient = useQueryClient();
  return (
    <TagsEditor
      tags={version.tags ?? []}
      canUpdate={canUpdate}
      testId="version-tags"
      onChange={async (change) => {
        const after = await changeVersionTags(version.model_id, version.id, change);
        queryClient.setQueryData<ModelVersion>(queryKey, (old) => (old ? { ...old, tags: after } : old));
        // The model's versions table shows them too.
        void queryClient.invalidateQueries({ queryKey: [...modelKeys.all, "table"] });
      }}
    />
  );
}
