// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import fixture from "./flavors.fixture.json";
import { configToSend, formSchema } from "./schema";
import { validator } from "./validator";

// Every built-in flavor's schema as the server sends it, with one example config each
// (scripts/gen_flavor_fixture.py; a Python test fails when the file is stale).
interface Flavor {
  type: string;
  name: string;
  schema: Record<string, unknown>;
  example: Record<string, unknown>;
}
const flavors = fixture as Flavor[];

describe("every built-in flavor's form", () => {
  it.each(flavors.map((f) => [`${f.type}/${f.name}`, f] as const))("%s accepts its example and sends it back unchanged", (_, flavor) => {
    const schema = formSchema(flavor.schema);
    expect(validator.validateFormData(flavor.example, schema).errors).toEqual([]);
    expect(configToSend(flavor.example)).toEqual(flavor.example);
  });

  it.each(flavors.filter((f) => Array.isArray(f.schema.required) && f.schema.required.length > 0).map((f) => [`${f.type}/${f.name}`, f] as const))(
    "%s refuses its example without a required field, naming it",
    (_, flavor) => {
      const required = (flavor.schema.required as string[])[0]!;
      const rest = Object.fromEntries(Object.entries(flavor.example).filter(([key]) => key !== required));
      const errors = validator.validateFormData(rest, formSchema(flavor.schema)).errors;
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.map((e) => `${e.property} ${e.message}`).join("; ")).toContain(required);
    },
  );
});
