import { describe, expect, it } from "vitest";

import { FilterSyntaxError, completing, parse, quoteValue, suggest } from "./filter";

const pick = (q: string) => parse(q).map(({ key, op, values, negate, bare }) => ({ key, op, values, negate, bare }));

describe("parse", () => {
  it("reads key:value, comparisons and negation", () => {
    expect(pick("status:failed created>7d -tag:old")).toEqual([
      { key: "status", op: ":", values: ["failed"], negate: false, bare: false },
      { key: "created", op: ">", values: ["7d"], negate: false, bare: false },
      { key: "tag", op: ":", values: ["old"], negate: true, bare: false },
    ]);
  });

  it("reads every operator, longest first", () => {
    expect(pick("a>=1 b<=2 c!=3 d=4 e<5 f~6").map((t) => t.op)).toEqual([">=", "<=", "!=", "=", "<", "~"]);
  });

  it("splits comma lists after ':' only", () => {
    expect(pick("status:failed,crashed")[0]?.values).toEqual(["failed", "crashed"]);
    expect(pick("name~a,b")[0]?.values).toEqual(["a,b"]);
  });

  it("keeps quoted values whole and unescapes them", () => {
    expect(pick('name:"nightly run" "two words" tag:"a \\"b\\""')).toEqual([
      { key: "name", op: ":", values: ["nightly run"], negate: false, bare: false },
      { key: "name", op: "~", values: ["two words"], negate: false, bare: true },
      { key: "tag", op: ":", values: ['a "b"'], negate: false, bare: false },
    ]);
  });

  it("turns bare words into name searches, negated with '-'", () => {
    expect(pick("train -smoke")).toEqual([
      { key: "name", op: "~", values: ["train"], negate: false, bare: true },
      { key: "name", op: "~", values: ["smoke"], negate: true, bare: true },
    ]);
  });

  it("lower-cases keys except metadata keys", () => {
    expect(pick("Status:failed metadata.Accuracy>0.9").map((t) => t.key)).toEqual(["status", "metadata.Accuracy"]);
  });

  it("records where each term sits", () => {
    const [a, b] = parse("  status:failed  train");
    expect([a?.start, a?.end, b?.start, b?.end]).toEqual([2, 15, 17, 22]);
  });

  it("reads an empty or blank query as no terms", () => {
    expect(parse("")).toEqual([]);
    expect(parse("   ")).toEqual([]);
  });

  it.each([
    ["status:", "has no value"],
    ['name:"open', "no closing quote"],
    ["status:a,,b", "empty value"],
    [">5", "starts with an operator"],
  ])("rejects %s with a one-line fix", (query, message) => {
    expect(() => parse(query)).toThrow(FilterSyntaxError);
    expect(() => parse(query)).toThrow(message);
  });
});

describe("suggest", () => {
  const vocabulary = {
    keys: ["status", "name", "stack", "started", "tag", "metadata."],
    values: { status: ["completed", "crashed", "failed", "running"] },
  };

  it("completes keys at the end of the query", () => {
    expect(suggest("st", vocabulary)).toEqual(["status:", "stack:", "started:"]);
    expect(suggest("tag:a sta", vocabulary)).toEqual(["tag:a status:", "tag:a stack:", "tag:a started:"]);
  });

  it("keeps a leading '-' and leaves 'metadata.' open", () => {
    expect(suggest("-ta", vocabulary)).toEqual(["-tag:"]);
    expect(suggest("me", vocabulary)).toEqual(["metadata."]);
  });

  it("completes known values, the last item of a list too", () => {
    expect(suggest("status:c", vocabulary)).toEqual(["status:completed", "status:crashed"]);
    expect(suggest("status:failed,c", vocabulary)).toEqual(["status:failed,completed", "status:failed,crashed"]);
    expect(suggest("status:failed,", vocabulary)).not.toContain("status:failed,failed");
  });

  it("suggests nothing for keys without known values or inside quotes", () => {
    expect(suggest("name:x", vocabulary)).toEqual([]);
    expect(suggest('name:"st', vocabulary)).toEqual([]);
  });

  it("suggests every key for an empty word", () => {
    expect(suggest("", vocabulary)).toHaveLength(vocabulary.keys.length);
  });

  it("quotes values that need it and matches inside names after prefixes", () => {
    const v = { keys: ["pipeline", "tag"], values: { pipeline: ["iris_training", "train", "nightly train"], tag: ["a b"] } };
    expect(suggest("pipeline:tr", v)).toEqual(["pipeline:train", "pipeline:iris_training", 'pipeline:"nightly train"']);
    expect(suggest('tag:"a', v)).toEqual(['tag:"a b"']);
    // A quoted value cannot join a comma list.
    expect(suggest("tag:x,", v)).toEqual([]);
  });

  it("round-trips quoted values through the parser", () => {
    for (const value of ["plain", "two words", 'say "hi"', "a,b", "back\\slash", ""]) {
      expect(parse(`tag:${quoteValue(value)}`)[0]?.values).toEqual([value]);
    }
  });
});

describe("completing", () => {
  it("tells a key being typed from a value of a key", () => {
    expect(completing("status:failed pip")).toEqual({ typed: "pip" });
    expect(completing("-metadata.acc")).toEqual({ typed: "metadata.acc" });
    expect(completing("tag:a,b")).toEqual({ key: "tag", typed: "b" });
    expect(completing('Pipeline:"nightly e')).toEqual({ key: "pipeline", typed: "nightly e" });
    expect(completing("created>7")).toEqual({ key: "created", typed: "7" });
    expect(completing("")).toEqual({ typed: "" });
  });

  it("completes metadata keys without a colon, leaving the comparison to the user", () => {
    expect(suggest("metadata.ac", { keys: ["metadata.", "metadata.accuracy"] })).toEqual(["metadata.accuracy"]);
  });
});
