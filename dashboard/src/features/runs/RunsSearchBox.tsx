import { Autocomplete } from "@mantine/core";
import { type FormEvent, useEffect, useMemo, useState } from "react";

import { STATUSES } from "../../components/StatusBadge";
import { type FilterVocabulary, suggest } from "../../lib/filter";

/** Keys the server's runs filter understands (FilterSpec of runs in the store). */
const RUN_FILTERS: FilterVocabulary = {
  keys: ["status", "name", "pipeline", "user", "stack", "tag", "model", "orchestrator", "created", "started", "ended", "id", "metadata."],
  values: { status: STATUSES },
};

interface Props {
  query: string;
  error: string | undefined;
  onSearch: (query: string) => void;
}

/** The filter-language search box: suggests keys and values, searches on Enter. */
export function RunsSearchBox({ query, error, onSearch }: Props) {
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  const options = useMemo(() => suggest(draft, RUN_FILTERS), [draft]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(draft.trim());
  };
  return (
    <form onSubmit={submit} role="search">
      <Autocomplete
        aria-label="Filter runs"
        placeholder="Filter runs: status:failed pipeline:train tag:prod created>7d"
        value={draft}
        onChange={setDraft}
        data={options}
        filter={({ options: all }) => all}
        error={error}
        spellCheck={false}
        autoComplete="off"
      />
    </form>
  );
}
