/**
 * A small Markdown reader (CommonMark's common subset plus GFM tables) that builds a tree of
 * plain objects; `Markdown.tsx` turns it into React elements. Nothing is ever parsed as HTML,
 * so a document's raw tags show as text and cannot run or restyle the dashboard.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "strong"; c: Inline[] }
  | { t: "em"; c: Inline[] }
  | { t: "del"; c: Inline[] }
  | { t: "link"; href: string | null; c: Inline[] }
  | { t: "br" };

export type Block =
  | { t: "heading"; level: number; c: Inline[] }
  | { t: "para"; c: Inline[] }
  | { t: "code"; lang: string; v: string }
  | { t: "quote"; c: Block[] }
  | { t: "list"; ordered: boolean; start: number; items: Block[][] }
  | { t: "table"; header: Inline[][]; align: ("left" | "right" | "center" | null)[]; rows: Inline[][][] }
  | { t: "hr" };

/** Only links that cannot run script: http(s), mailto and in-page anchors. */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  if (/^(https?:|mailto:)/i.test(href) || href.startsWith("#")) return href;
  return null;
}

const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|~~([\s\S]+?)~~|\*([^*\s][\s\S]*?)\*|(?<![\w])_([^_\s][\s\S]*?)_(?![\w])|!?\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)|<(https?:\/\/[^>\s]+)>|( {2,}|\\)\n/g;

export function parseInline(src: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const push = (v: string) => {
    if (!v) return;
    const unescaped = v.replace(/\\([\\`*_{}[\]()#+\-.!~|<>])/g, "$1");
    const prev = out[out.length - 1];
    if (prev?.t === "text") prev.v += unescaped;
    else out.push({ t: "text", v: unescaped });
  };
  for (const m of src.matchAll(INLINE)) {
    const at = m.index;
    if (at > 0 && src[at - 1] === "\\" && !m[0].startsWith("`")) continue;
    push(src.slice(last, at));
    last = at + m[0].length;
    if (m[1] !== undefined) out.push({ t: "code", v: (m[2] ?? "").replace(/^ (.*) $/, "$1") });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ t: "strong", c: parseInline(m[3] ?? m[4] ?? "") });
    else if (m[5] !== undefined) out.push({ t: "del", c: parseInline(m[5]) });
    else if (m[6] !== undefined || m[7] !== undefined) out.push({ t: "em", c: parseInline(m[6] ?? m[7] ?? "") });
    else if (m[8] !== undefined) {
      // images are shown as links: loading third-party pixels from a stored document would leak the viewer's address
      const label = m[8] || (m[0].startsWith("!") ? "image" : m[9] ?? "");
      out.push({ t: "link", href: safeHref(m[9] ?? ""), c: parseInline(label) });
    } else if (m[10] !== undefined) out.push({ t: "link", href: safeHref(m[10]), c: [{ t: "text", v: m[10] }] });
    else out.push({ t: "br" });
  }
  push(src.slice(last));
  return out;
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST = /^( {0,3})([-*+]|(\d{1,9})[.)])(\s+|$)/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

export function parseMarkdown(src: string): Block[] {
  return parseBlocks(src.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").split("\n"));
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: "para", c: parseInline(para.join("\n").trim()) });
    para = [];
  };
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1] ?? "```";
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? "").trimStart().startsWith(marker)) body.push(lines[i++] ?? "");
      i++;
      blocks.push({ t: "code", lang: fence[2] ?? "", v: body.join("\n") });
      continue;
    }
    if (!line.trim()) {
      flush();
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ t: "heading", level: heading[1]?.length ?? 1, c: parseInline(heading[2] ?? "") });
      i++;
      continue;
    }
    if (HR.test(line)) {
      flush();
      blocks.push({ t: "hr" });
      i++;
      continue;
    }
    if (/^ {0,3}>/.test(line)) {
      flush();
      const body: string[] = [];
      while (i < lines.length && /^ {0,3}>/.test(lines[i] ?? "")) body.push((lines[i++] ?? "").replace(/^ {0,3}> ?/, ""));
      blocks.push({ t: "quote", c: parseBlocks(body) });
      continue;
    }
    const next = lines[i + 1] ?? "";
    if (line.includes("|") && TABLE_SEP.test(next) && next.includes("-")) {
      flush();
      const header = splitRow(line);
      const align = splitRow(next).map((c) => (c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : null));
      i += 2;
      const rows: Inline[][][] = [];
      while (i < lines.length && (lines[i] ?? "").includes("|") && (lines[i] ?? "").trim()) {
        rows.push(splitRow(lines[i++] ?? "").map(parseInline));
      }
      blocks.push({ t: "table", header: header.map(parseInline), align, rows });
      continue;
    }
    const item = LIST.exec(line);
    if (item && (para.length === 0 || item[3] === undefined || item[3] === "1")) {
      flush();
      const ordered = item[3] !== undefined;
      const start = ordered ? Number(item[3]) : 1;
      const items: Block[][] = [];
      while (i < lines.length) {
        const m = LIST.exec(lines[i] ?? "");
        if (!m || (m[3] !== undefined) !== ordered) break;
        const indent = m[0].length;
        const body = [(lines[i] ?? "").slice(indent)];
        i++;
        // continuation lines are those indented under the item, or lazy paragraph text
        while (i < lines.length) {
          const l = lines[i] ?? "";
          if (l.trim() === "") {
            const after = lines[i + 1] ?? "";
            if (/^\s{2,}\S/.test(after) && !LIST.exec(after)?.[1]?.length) {
              body.push("");
              i++;
              continue;
            }
            break;
          }
          if (LIST.test(l) && l.search(/\S/) < indent) break;
          if (/^\s/.test(l)) body.push(l.replace(new RegExp(`^ {0,${indent}}`), ""));
          else if (!LIST.test(l) && !HEADING.test(l) && !FENCE.test(l)) body.push(l);
          else break;
          i++;
        }
        items.push(parseBlocks(body));
      }
      blocks.push({ t: "list", ordered, start, items });
      continue;
    }
    para.push(line);
    i++;
  }
  flush();
  return blocks;
}
