/** URL search params of the stacks pages (validated here so the router needs no stacks code). Defaults stay out of the URL. */
import { COMPONENT_TYPES, type ComponentType } from "../../api/stacks";

const text = (value: unknown, max = 255): string | undefined => (typeof value === "string" && value.trim() && value.length <= max ? value.trim() : undefined);

export interface StacksSearch {
  /** The builder is open for a new stack. */
  build?: true;
}

export function validateStacksSearch(raw: Record<string, unknown>): StacksSearch {
  return raw.build === true || raw.build === "true" || raw.build === 1 ? { build: true } : {};
}

export interface StackSearch {
  /** The builder is open on this stack. */
  edit?: true;
}

export function validateStackSearch(raw: Record<string, unknown>): StackSearch {
  return raw.edit === true || raw.edit === "true" || raw.edit === 1 ? { edit: true } : {};
}

export interface ComponentsSearch {
  type?: ComponentType;
  /** Narrows by name, flavor or connector. */
  q?: string;
}

export function validateComponentsSearch(raw: Record<string, unknown>): ComponentsSearch {
  const out: ComponentsSearch = {};
  if (typeof raw.type === "string" && (COMPONENT_TYPES as readonly string[]).includes(raw.type)) out.type = raw.type as ComponentType;
  const q = text(raw.q);
  if (q) out.q = q;
  return out;
}
