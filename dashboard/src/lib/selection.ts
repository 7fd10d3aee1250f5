/**
 * A ticked selection of rows (runs, versions): a click toggles one, a shift-click sets the whole range
 * from the last clicked row to the clicked row's new state. At most `max` stay, the earliest ticked first.
 */
export function toggleSelection(selected: readonly string[], order: readonly string[], id: string, last: string | undefined, shift: boolean, max: number): string[] {
  const on = !selected.includes(id);
  let ids = [id];
  if (shift && last !== undefined && last !== id) {
    const a = order.indexOf(last);
    const b = order.indexOf(id);
    if (a >= 0 && b >= 0) ids = order.slice(Math.min(a, b), Math.max(a, b) + 1);
  }
  const next = on ? [...selected, ...ids.filter((n) => !selected.includes(n))] : selected.filter((n) => !ids.includes(n));
  return next.slice(0, max);
}

/** The header checkbox's state for the rows in view: all of them ticked, some, or none. */
export function pageState(selected: readonly string[], order: readonly string[]): "all" | "some" | "none" {
  const on = order.filter((id) => selected.includes(id)).length;
  if (on === 0) return "none";
  return on === order.length ? "all" : "some";
}

/** The header checkbox's click: ticks every row in view (up to `max` in all), or unticks them when all were. */
export function togglePage(selected: readonly string[], order: readonly string[], max: number): string[] {
  if (pageState(selected, order) === "all") return selected.filter((id) => !order.includes(id));
  return [...selected, ...order.filter((id) => !selected.includes(id))].slice(0, max);
}
