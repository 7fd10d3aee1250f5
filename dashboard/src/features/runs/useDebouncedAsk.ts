import { useDebouncedValue } from "@mantine/hooks";
import { useMemo } from "react";

/** A question for the server's suggestions: complete `prefix` as a value of `key`. */
export interface Ask<K extends string = string> {
  key: K;
  prefix: string;
}

/**
 * `wanted`, once it has stayed the same for `ms`: what a filter box asks the server as one types.
 * Debounced as one string, since a new object each render would restart the wait forever.
 */
export function useDebouncedAsk<K extends string>(wanted: Ask<K> | undefined, ms = 150): Ask<K> | undefined {
  const [asked] = useDebouncedValue(wanted ? `${wanted.key}:${wanted.prefix}` : "", ms);
  return useMemo(() => {
    if (asked === "") return undefined;
    const colon = asked.indexOf(":");
    return { key: asked.slice(0, colon) as K, prefix: asked.slice(colon + 1) };
  }, [asked]);
}
