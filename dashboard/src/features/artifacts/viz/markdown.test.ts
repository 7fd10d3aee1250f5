import { describe, expect, it } from "vitest";

import { parseInline, parseMarkdown, safeHref } from "./markdown";

describe("markdown", () => {
  it("reads headings, lists, code and tables", () => {
    const doc = parseMarkdown("# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n```py\nx = 1\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n");
    expect(doc.map((b) => b.t)).toEqual(["heading", "para", "list", "code", "table"]);
    const list = doc[2];
    expect(list?.t === "list" && list.items.length).toBe(2);
    const table = doc[4];
    expect(table?.t === "table" && table.align).toEqual([null, "right"]);
  });

  it("keeps raw HTML as text", () => {
    const doc = parseMarkdown("<script>alert(1)</script>");
    expect(doc).toEqual([{ t: "para", c: [{ t: "text", v: "<script>alert(1)</script>" }] }]);
  });

  it("drops script links and shows images as links", () => {
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref(" https://x.org ")).toBe("https://x.org");
    expect(parseInline("[x](javascript:alert(1))")[0]).toMatchObject({ t: "link", href: null });
    expect(parseInline("![a cat](https://x.org/cat.png)")[0]).toMatchObject({ t: "link", href: "https://x.org/cat.png" });
  });

  it("nests emphasis and honours escapes", () => {
    expect(parseInline("**a *b***")[0]).toMatchObject({ t: "strong" });
    expect(parseInline("\\*not em\\*")).toEqual([{ t: "text", v: "*not em*" }]);
  });
});
