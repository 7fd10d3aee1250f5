import { describe, expect, it } from "vitest";

import { csvField, toCsv } from "./csv";

describe("csvField", () => {
  it("leaves plain text and numbers alone", () => {
    expect(csvField("iris_training")).toBe("iris_training");
    expect(csvField(42)).toBe("42");
    expect(csvField(-1.5)).toBe("-1.5");
    expect(csvField("-1.5")).toBe("-1.5");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(true)).toBe("true");
  });

  it("quotes commas, quotes and line breaks, doubling quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
  });

  it("keeps leading and trailing spaces by quoting", () => {
    expect(csvField(" padded ")).toBe('" padded "');
  });

  it("defuses spreadsheet formulas", () => {
    expect(csvField("=1+2")).toBe("'=1+2");
    expect(csvField("+cmd")).toBe("'+cmd");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });
});

describe("toCsv", () => {
  it("writes a header and rows with CRLF line ends", () => {
    expect(
      toCsv(
        ["name", "tags"],
        [
          ["run-1", "a, b"],
          ["run-2", ""],
        ],
      ),
    ).toBe('name,tags\r\nrun-1,"a, b"\r\nrun-2,\r\n');
  });
});
