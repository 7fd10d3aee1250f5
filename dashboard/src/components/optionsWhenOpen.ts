import { useMemo, useState } from "react";

export interface Option {
  value: string;
  label: string;
}
export type OptionGroup = { group: string; items: Option[] };
export type Options = readonly (Option | OptionGroup)[];

/** The options among `data` whose values are in `keep`, groups kept where they hold one. */
export function onlyPicked(data: Options, keep: ReadonlySet<string>): Options {
  const out: (Option | OptionGroup)[] = [];
  for (const entry of data) {
    if ("group" in entry) {
      const items = entry.items.filter((o) => keep.has(o.value));
      if (items.length) out.push({ group: entry.group, items });
    } else if (keep.has(entry.value)) {
      out.push(entry);
    }
  }
  return out;
}

/**
 * A Select's or MultiSelect's options: all of them while its dropdown is open, only the picked ones
 * (which it needs to show their labels) while it is closed. Mantine renders a closed dropdown's
 * options too, hidden, and hundreds of them (a comparison's attributes) weigh on a page's first render.
 */
export function useOptionsWhenOpen(data: Options, picked: readonly string[] | string | null | undefined) {
  const [open, setOpen] = useState(false);
  const key = typeof picked === "string" ? picked : (picked ?? []).join("\n");
  const closed = useMemo(() => onlyPicked(data, new Set(key ? key.split("\n") : [])), [data, key]);
  return { data: open ? data : closed, onDropdownOpen: () => setOpen(true), onDropdownClose: () => setOpen(false) };
}
