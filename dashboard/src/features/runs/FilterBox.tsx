import { Combobox, Text, TextInput, useCombobox } from "@mantine/core";
import { type FormEvent, type KeyboardEvent, useEffect, useMemo, useState } from "react";

import { type FilterVocabulary, suggest } from "../../lib/filter";

interface Props {
  label: string;
  placeholder: string;
  query: string;
  vocabulary: FilterVocabulary;
  /** The server's one-line message for a filter it rejected; the filter stays in the box to fix. */
  error: string | undefined;
  onSearch: (query: string) => void;
  /** Told of each edit, for suggestions that are asked of the server as one types. */
  onDraftChange?: (draft: string) => void;
}

/**
 * A search box that speaks the filter language, suggesting keys and values as you type:
 * ↑/↓ pick a suggestion, Tab or Enter takes it, Enter without one searches, Esc closes.
 */
export function FilterBox({ label, placeholder, query, vocabulary, error, onSearch, onDraftChange }: Props) {
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  useEffect(() => onDraftChange?.(draft), [draft, onDraftChange]);
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const options = useMemo(() => suggest(draft, vocabulary), [draft, vocabulary]);

  const accept = (value: string) => {
    setDraft(value);
    combobox.resetSelectedOption();
    // A key wants its value next, so the list stays open on `status:` and shows the values.
    if (!/[:=<>~.]$/.test(value)) combobox.closeDropdown();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    combobox.closeDropdown();
    onSearch(draft.trim());
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Tab" && !event.shiftKey && combobox.dropdownOpened && options.length > 0) {
      event.preventDefault();
      accept(options[Math.max(0, combobox.getSelectedOptionIndex())] ?? draft);
    }
  };

  return (
    <form onSubmit={submit} role="search">
      <Combobox store={combobox} onOptionSubmit={accept} withinPortal={false}>
        <Combobox.Target>
          <TextInput
            aria-label={label}
            placeholder={placeholder}
            value={draft}
            onChange={(e) => {
              setDraft(e.currentTarget.value);
              combobox.openDropdown();
              combobox.resetSelectedOption();
            }}
            onFocus={() => combobox.openDropdown()}
            onClick={() => combobox.openDropdown()}
            onBlur={() => combobox.closeDropdown()}
            onKeyDown={onKeyDown}
            error={error}
            spellCheck={false}
            autoComplete="off"
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          />
        </Combobox.Target>
        <Combobox.Dropdown hidden={options.length === 0}>
          <Combobox.Options aria-label="Suggestions">
            {options.map((o) => (
              <Combobox.Option value={o} key={o}>
                <Text fz="sm" ff="monospace">
                  {o}
                </Text>
              </Combobox.Option>
            ))}
          </Combobox.Options>
          <Text fz="xs" c="dimmed" px="sm" py={4}>
            Tab or Enter takes a suggestion · Enter searches
          </Text>
        </Combobox.Dropdown>
      </Combobox>
    </form>
  );
}
