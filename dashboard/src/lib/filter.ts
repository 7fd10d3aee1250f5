/**
 * The filter language of the search boxes, as the server parses it (src/waypost/store/filters.py):
 *
 *     status:failed pipeline:train -tag:old metadata.accuracy>0.9 "nightly run"
 *
 * Terms are `[-]key OP value` with OP one of `: = != > >= < <= ~`; `a,b` after `:` means
 * either; values may be double-quoted; a bare word searches names. The server stays the
 * judge of a query: this parser exists for key and value suggestions while typing.
 */

export const OPERATORS = [">=", "<=", "!=", ":", "=", ">", "<", "~"] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Term {
  key: string;
  op: Operator;
  values: string[];
  negate: boolean;
  /** A bare word: a name search (`name~word`). */
  bare: boolean;
  /** Where the term sits in the query, [start, end). */
  start: number;
  end: number;
}

export class FilterSyntaxError extends Error {
  override name = "FilterSyntaxError";
}

const TERM = /(-?)([A-Za-z_][\w.-]*)(>=|<=|!=|:|=|>|<|~)("(?:[^"\\]|\\.)*"?|\S*)/y;
const BARE = /(-?)("(?:[^"\\]|\\.)*"?|\S+)/y;
const SPACE = /\s*/y;

function unquote(word: string): string {
  if (!word.startsWith('"')) return word;
  if (word.length < 2 || !word.endsWith('"')) {
    throw new FilterSyntaxError(`Filter value ${word} has no closing quote; add a " at its end.`);
  }
  return word.slice(1, -1).replace(/\\(.)/g, "$1");
}

function split(raw: string, key: string, op: Operator): string[] {
  if (raw.startsWith('"')) return [unquote(raw)];
  const parts = op === ":" ? raw.split(",") : [raw];
  if (parts.some((p) => p === "")) {
    throw new FilterSyntaxError(`Filter term '${key}${op}${raw}' has an empty value in its list; remove the extra comma.`);
  }
  return parts;
}

/** Parse `query` into terms; throw FilterSyntaxError (same messages as the server) when it is malformed. */
export function parse(query: string): Term[] {
  const terms: Term[] = [];
  let pos = 0;
  for (;;) {
    SPACE.lastIndex = pos;
    SPACE.exec(query);
    pos = SPACE.lastIndex;
    if (pos >= query.length) return terms;
    TERM.lastIndex = pos;
    const m = TERM.exec(query);
    if (m) {
      const [, neg = "", rawKey = "", op = ":", raw = ""] = m;
      const operator = op as Operator;
      if (raw === "") {
        throw new FilterSyntaxError(`Filter term '${rawKey}${op}' has no value; write it like ${rawKey}${op}VALUE.`);
      }
      const key = rawKey.startsWith("metadata.") ? rawKey : rawKey.toLowerCase();
      terms.push({ key, op: operator, values: split(raw, rawKey, operator), negate: neg === "-", bare: false, start: pos, end: TERM.lastIndex });
      pos = TERM.lastIndex;
      continue;
    }
    BARE.lastIndex = pos;
    const b = BARE.exec(query);
    if (!b) return terms;
    const [, neg = "", word = ""] = b;
    if (OPERATORS.some((o) => word.startsWith(o))) {
      throw new FilterSyntaxError(`Filter term '${word}' starts with an operator; put a key before it, like status:failed.`);
    }
    terms.push({ key: "name", op: "~", values: [unquote(word)], negate: neg === "-", bare: true, start: pos, end: BARE.lastIndex });
    pos = BARE.lastIndex;
  }
}

/** The keys a resource understands and the values worth suggesting for some of them. */
export interface FilterVocabulary {
  keys: readonly string[];
  values?: Readonly<Record<string, readonly string[]>>;
}

/** The word being typed at the end of `query`: after the last space that is outside quotes. */
function lastWord(query: string): { start: number; word: string } {
  let start = 0;
  let quoted = false;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && /\s/.test(c ?? "")) start = i + 1;
  }
  return { start, word: query.slice(start) };
}

/**
 * What the word at the end of `query` is completing: a value of `key` (after `key:`, the
 * last item of a comma list, without an opening quote) or, with no operator yet, a key.
 */
export function completing(query: string): { key?: string; typed: string } {
  const { word } = lastWord(query);
  const body = word.replace(/^-/, "");
  const m = /^([A-Za-z_][\w.-]*)(>=|<=|!=|:|=|>|<|~)(.*)$/.exec(body);
  if (!m) return { typed: body };
  const [, key = "", op = ":", raw = ""] = m;
  const cut = op === ":" && !raw.startsWith('"') ? raw.lastIndexOf(",") + 1 : 0;
  return { key: key.toLowerCase(), typed: raw.slice(cut).replace(/^"/, "") };
}

/**
 * Completions of the word at the end of `query`, each the whole query with that word
 * completed: a key (`sta` → `status:`), or a value (`status:fa` → `status:failed`).
 */
export function suggest(query: string, vocabulary: FilterVocabulary, limit = 8): string[] {
  const { start, word } = lastWord(query);
  const head = query.slice(0, start);
  const neg = word.startsWith("-") ? "-" : "";
  const body = word.slice(neg.length);
  const m = /^([A-Za-z_][\w.-]*)(>=|<=|!=|:|=|>|<|~)(.*)$/.exec(body);
  if (!m) {
    const typed = body.toLowerCase();
    return vocabulary.keys
      .filter((k) => k.toLowerCase().startsWith(typed) && k.toLowerCase() !== typed)
      .slice(0, limit)
      // `metadata.` waits for its key; a full `metadata.KEY` for the comparison the user picks.
      .map((k) => `${head}${neg}${k.endsWith(".") || k.startsWith("metadata.") ? k : `${k}:`}`);
  }
  const [, key = "", op = ":", raw = ""] = m;
  const known = vocabulary.values?.[key.toLowerCase()];
  if (!known) return [];
  // After `:`, a comma list: complete only its last item (a quoted value stands alone).
  const cut = op === ":" && !raw.startsWith('"') ? raw.lastIndexOf(",") + 1 : 0;
  const done = raw.slice(0, cut);
  const typed = raw.slice(cut).replace(/^"/, "").toLowerCase();
  const chosen = new Set(done.split(",").filter(Boolean));
  const candidates = known.filter((v) => v.toLowerCase() !== typed && !chosen.has(v) && !(done && quoteValue(v) !== v));
  // Values that start with what was typed come first, then those that contain it.
  const starts = candidates.filter((v) => v.toLowerCase().startsWith(typed));
  const contains = typed ? candidates.filter((v) => !v.toLowerCase().startsWith(typed) && v.toLowerCase().includes(typed)) : [];
  return [...starts, ...contains].slice(0, limit).map((v) => `${head}${neg}${key}${op}${done}${quoteValue(v)}`);
}

/** A value as the filter language needs it written: quoted when it holds a space, comma or quote. */
export function quoteValue(value: string): string {
  return value === "" || /[\s,"\\]/.test(value) ? `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : value;
}

/** The distinct non-empty values, sorted: a key's suggested values. */
export const distinct = (values: Iterable<string | null | undefined>): string[] =>
  [...new Set([...values].filter((v): v is string => !!v))].sort();
