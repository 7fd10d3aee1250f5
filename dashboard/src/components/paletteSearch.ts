/** Ranking for the command palette: how well a label matches what was typed. */

/**
 * A score for `label` against `typed` (higher is better), or -1 when it does not match:
 * whole label > prefix > start of a word > substring > letters in order (fuzzy).
 */
export function matchScore(label: string, typed: string): number {
  const t = typed.trim().toLowerCase();
  if (!t) return 1;
  const l = label.toLowerCase();
  if (l === t) return 100;
  if (l.startsWith(t)) return 80 - Math.min(20, l.length - t.length) / 2;
  const at = l.indexOf(t);
  if (at > 0 && /[\s_\-./:]/.test(l[at - 1] ?? "")) return 60;
  if (at > 0) return 40;
  let i = 0;
  for (const c of l) if (c === t[i]) i++;
  return i === t.length ? 10 : -1;
}

/** Items that match, best first, at most `limit`; ties keep their order. */
export function rankItems<T>(items: readonly T[], typed: string, label: (item: T) => string, limit: number): T[] {
  return items
    .map((item, i) => ({ item, i, s: matchScore(label(item), typed) }))
    .filter((x) => x.s >= 0)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, limit)
    .map((x) => x.item);
}

/** The next highlighted index for ↑/↓ (wrapping), Home/End; unchanged for other keys. */
export function moveIndex(index: number, count: number, key: string): number {
  if (count === 0) return 0;
  if (key === "ArrowDown") return (index + 1) % count;
  if (key === "ArrowUp") return (index - 1 + count) % count;
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return index;
}

/** Whether a key event comes from somewhere the user types text, where one-key shortcuts must not fire. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}
