// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import { configToSend, formSchema, secretFields } from "./schema";
import { validator } from "./validator";

// The email alerter's schema as pydantic writes it (stacks/builtin/alerters.py), trimmed.
const email = {
  additionalProperties: false,
  properties: {
    host: { maxLength: 255, minLength: 1, title: "Host", type: "string" },
    port: { default: 587, maximum: 65535, minimum: 1, title: "Port", type: "integer" },
    security: { default: "starttls", enum: ["starttls", "tls", "none"], title: "Security", type: "string" },
    to: { items: { type: "string" }, minItems: 1, title: "To", type: "array" },
    username: { anyOf: [{ maxLength: 320, type: "string" }, { type: "null" }], default: null, title: "Username" },
    password: { anyOf: [{ maxLength: 1024, type: "string" }, { type: "null" }], default: null, format: "password", secret: true, title: "Password", writeOnly: true },
  },
  required: ["host", "to"],
  title: "Email alerter (SMTP)",
  type: "object",
};

describe("formSchema", () => {
  it("makes an optional field a plain field of its type, keeping its markers, and drops the model's title", () => {
    const schema = formSchema(email);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.username).toEqual({ maxLength: 320, type: "string", title: "Username" });
    expect(properties.password).toMatchObject({ type: "string", format: "password", writeOnly: true, secret: true });
    expect(schema.title).toBeUndefined();
    expect(secretFields(email)).toEqual(["password"]);
  });
});

describe("the interpreting validator", () => {
  const schema = formSchema(email);
  const errorsOf = (data: unknown) => validator.validateFormData(data, schema).errors.map((e) => `${e.property} ${e.message}`);

  it("names each wrong field with a short rule, under the field it concerns", () => {
    expect(errorsOf({ host: "", port: 70000, security: "ssl", to: [], extra: 1 }).sort()).toEqual([
      ".extra is not a field here",
      ".host must not be empty",
      ".port must be at most 65535",
      '.security must be one of: "starttls", "tls", "none"',
      ".to needs at least one item",
    ]);
    expect(errorsOf({})).toEqual([".host is required", ".to is required"]);
    expect(errorsOf({ host: "smtp", to: ["a@b"], port: "x" })).toEqual([".port must be an integer"]);
  });

  it("files errors where the form shows them", () => {
    const { errorSchema } = validator.validateFormData({ to: [] }, schema);
    expect(errorSchema).toMatchObject({ host: { __errors: ["is required"] }, to: { __errors: ["needs at least one item"] } });
  });

  it("passes a valid config, an untouched optional field included", () => {
    expect(errorsOf({ host: "smtp", to: ["ops@example.com"], username: undefined })).toEqual([]);
    expect(validator.isValid(schema, { host: "smtp", to: ["x"] }, schema)).toBe(true);
  });
});

describe("configToSend", () => {
  it("leaves out what was left empty and keeps a stored secret's mask (the server keeps its value)", () => {
    expect(configToSend({ host: "smtp", username: "", channel: undefined, port: null, password: "********", to: ["a"] })).toEqual({
      host: "smtp",
      password: "********",
      to: ["a"],
    });
  });
});
