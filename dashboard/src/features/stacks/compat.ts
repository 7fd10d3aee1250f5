/**
 * Which registered components can go into a stack being built, and why not: the server's
 * check_stack (stacks/flavors.py) told in advance, so the builder greys a component out with the
 * reason instead of the save failing.
 */
import { type ComponentType, type Flavor, REQUIRED_TYPES, type StackComponent, typeLabel } from "../../api/stacks";

/** The stack being built: a component per type (absent: none of that type). */
export type Selection = Partial<Record<ComponentType, StackComponent>>;

const article = (words: string) => (/^[aeiou]/.test(words) ? "an" : "a");
const withArticle = (type: string) => `${article(typeLabel(type))} ${typeLabel(type)}`;

export type FlavorIndex = Map<string, Flavor>;

export function flavorIndex(flavors: readonly Flavor[]): FlavorIndex {
  return new Map(flavors.map((f) => [`${f.type}/${f.name}`, f]));
}

const flavorOf = (index: FlavorIndex, c: StackComponent) => index.get(`${c.type}/${c.flavor}`);

/**
 * Why `candidate` cannot take its type's place in `selection` (replacing what is there), or
 * undefined when it can: a type its flavor needs is missing, it conflicts with a chosen type, or a
 * chosen component's flavor cannot work with its type.
 */
export function incompatibility(candidate: StackComponent, selection: Selection, index: FlavorIndex): string | undefined {
  const flavor = flavorOf(index, candidate);
  if (!flavor) return `its flavor '${candidate.flavor}' is not installed on the server`;
  const after: Selection = { ...selection, [candidate.type]: candidate };
  for (const needed of flavor.requires ?? []) {
    if (!after[needed]) return `the ${candidate.flavor} flavor needs ${withArticle(needed)} in the stack; pick one first`;
  }
  for (const conflict of flavor.conflicts ?? []) {
    const there = after[conflict];
    if (there) return `the ${candidate.flavor} flavor cannot work with ${withArticle(conflict)} ('${there.name}'); remove it first`;
  }
  for (const [type, chosen] of Object.entries(after) as [ComponentType, StackComponent][]) {
    if (type === candidate.type) continue;
    if (flavorOf(index, chosen)?.conflicts?.includes(candidate.type)) {
      return `the ${typeLabel(type)} '${chosen.name}' (${chosen.flavor}) cannot work with ${withArticle(candidate.type)}`;
    }
  }
  return undefined;
}

/** What is wrong with `selection` as a whole, one line each, by the type each concerns (empty: it can be saved). */
export function stackProblems(selection: Selection, index: FlavorIndex): Partial<Record<ComponentType, string>> {
  const out: Partial<Record<ComponentType, string>> = {};
  for (const required of REQUIRED_TYPES) {
    if (!selection[required]) out[required] = `A stack needs ${withArticle(required)}; pick one.`;
  }
  for (const [type, chosen] of Object.entries(selection) as [ComponentType, StackComponent][]) {
    const flavor = flavorOf(index, chosen);
    for (const needed of flavor?.requires ?? []) {
      if (!selection[needed]) out[needed] ??= `The ${typeLabel(type)} '${chosen.name}' (${chosen.flavor}) needs ${withArticle(needed)}; pick one.`;
    }
    for (const conflict of flavor?.conflicts ?? []) {
      if (selection[conflict]) out[conflict] ??= `The ${typeLabel(type)} '${chosen.name}' (${chosen.flavor}) cannot work with ${withArticle(conflict)}; remove one of them.`;
    }
  }
  return out;
}
