/**
 * The generated forms' validator: react-jsonschema-form's ValidatorType over @cfworker/json-schema,
 * which interprets a schema instead of compiling it to code. The dashboard's Content-Security-Policy
 * (server/web.py: script-src 'self', no 'unsafe-eval') refuses the `new Function` that Ajv compiles
 * every schema with, and a flavor's schema arrives from the server at run time, so it cannot be
 * compiled ahead either. Messages are short and name the rule ("must be at most 65535").
 */
import { type OutputUnit, Validator } from "@cfworker/json-schema";
import {
  type CustomValidator,
  type ErrorSchema,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
  createErrorHandler,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
} from "@rjsf/utils";

type Schema = Record<string, unknown>;

/** Keywords that only say "something below failed": the failure below is the one worth showing. */
const WRAPPERS = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "contains",
  "allOf",
  "$ref",
  "$dynamicRef",
  "dependentSchemas",
  "if",
  "then",
  "else",
  "unevaluatedProperties",
  "unevaluatedItems",
  "propertyNames",
]);

/** The part of `schema` at a JSON pointer fragment (`#/properties/port/maximum`). */
function at(schema: unknown, pointer: string): unknown {
  let node = schema;
  for (const raw of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** `#/to/0` → `.to.0`: the property path react-jsonschema-form files an error under. */
function propertyPath(instanceLocation: string): string {
  const parts = instanceLocation
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => decodeURIComponent(p).replace(/~1/g, "/").replace(/~0/g, "~"));
  return parts.length ? `.${parts.join(".")}` : ".";
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A short message for one failed keyword, from the rule itself. */
function message(unit: OutputUnit, rule: unknown, owner: Schema | undefined): string {
  const value = rule as number;
  const list = Array.isArray(rule) ? (rule as unknown[]) : [];
  switch (unit.keyword) {
    case "minLength":
      return value === 1 ? "must not be empty" : `must be at least ${plural(value, "character")}`;
    case "maxLength":
      return `must be at most ${plural(value, "character")}`;
    case "minimum":
      return `must be at least ${value}`;
    case "maximum":
      return `must be at most ${value}`;
    case "exclusiveMinimum":
      return `must be more than ${value}`;
    case "exclusiveMaximum":
      return `must be less than ${value}`;
    case "multipleOf":
      return `must be a multiple of ${value}`;
    case "minItems":
      return value === 1 ? "needs at least one item" : `needs at least ${value} items`;
    case "maxItems":
      return `may hold at most ${plural(value, "item")}`;
    case "uniqueItems":
      return "must not repeat an item";
    case "enum":
      return `must be one of: ${list.map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify(rule)}`;
    case "type":
      return `must be ${Array.isArray(rule) ? `one of: ${list.join(", ")}` : `a${/^[aeiou]/.test(String(rule)) ? "n" : ""} ${String(rule)}`}`;
    case "pattern": {
      // Like the server (flavors.py): the field's description says what a valid value looks like.
      const description = typeof owner?.description === "string" ? owner.description.replace(/\.$/, "") : "";
      return description ? `is not valid (${description})` : `must match ${String(rule)}`;
    }
    case "format":
      return `is not a valid ${String(rule)}`;
    case "false":
      return "is not a field here";
    case "anyOf":
    case "oneOf":
      return "does not match any of the allowed forms";
    default:
      return unit.error.replace(/\.$/, "");
  }
}

/** The user-facing errors of one validation: one per failed rule, filed under the field it concerns. */
export function toValidationErrors(units: readonly OutputUnit[], schema: Schema): RJSFValidationError[] {
  const choices = units.filter((u) => u.keyword === "anyOf" || u.keyword === "oneOf").map((u) => u.keywordLocation);
  const errors: RJSFValidationError[] = [];
  for (const unit of units) {
    if (WRAPPERS.has(unit.keyword)) continue;
    // Inside a choice only the choice's own error counts ("does not match any …"), not each option's.
    if (choices.some((c) => unit.keywordLocation.startsWith(`${c}/`))) continue;
    let property = propertyPath(unit.instanceLocation);
    const rule = at(schema, unit.keywordLocation);
    const owner = at(schema, unit.keywordLocation.replace(/\/[^/]*$/, "")) as Schema | undefined;
    let text: string;
    if (unit.keyword === "required") {
      const missing = /"([^"]+)"/.exec(unit.error)?.[1] ?? "";
      property = property === "." ? `.${missing}` : `${property}.${missing}`;
      text = "is required";
    } else {
      text = message(unit, rule, owner);
    }
    const name = property.replace(/^\./, "") || "config";
    errors.push({ name: unit.keyword, property, message: text, params: {}, schemaPath: unit.keywordLocation, stack: `${name} ${text}` });
  }
  return errors;
}

/** A JSON value as the validator sees it: `undefined` members dropped, as JSON would. */
const asJson = (data: unknown): unknown => (data === undefined ? undefined : (JSON.parse(JSON.stringify(data)) as unknown));

/** React-jsonschema-form's validator, CSP-safe (see the module's comment). */
export class InterpretingValidator implements ValidatorType {
  private cache = new WeakMap<object, Validator>();

  private validatorFor(schema: Schema, rootSchema?: Schema): Validator {
    const key = rootSchema && rootSchema !== schema ? undefined : schema;
    const cached = key ? this.cache.get(key) : undefined;
    if (cached) return cached;
    // A part of the form's schema is checked with the root's definitions at hand, for its $refs.
    const whole = rootSchema && rootSchema !== schema ? { ...schema, $defs: rootSchema.$defs, definitions: rootSchema.definitions } : schema;
    const made = new Validator(whole as never, "2020-12", false);
    if (key) this.cache.set(key, made);
    return made;
  }

  rawValidation<Result = OutputUnit>(schema: RJSFSchema, formData?: unknown): { errors?: Result[]; validationError?: Error } {
    try {
      const result = this.validatorFor(schema as Schema).validate(asJson(formData));
      return { errors: result.errors as Result[] };
    } catch (error) {
      return { validationError: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    const raw = this.rawValidation<OutputUnit>(schema, formData);
    let errors: RJSFValidationError[] = raw.validationError
      ? [{ property: ".", message: `The form's schema could not be used: ${raw.validationError.message}`, stack: raw.validationError.message }]
      : toValidationErrors(raw.errors ?? [], schema as Schema);
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const errorSchema = toErrorSchema(errors) as ErrorSchema<unknown>;
    if (!customValidate) return { errors, errorSchema };
    const handler = customValidate(formData, createErrorHandler(formData), uiSchema, errorSchema);
    return validationDataMerge({ errors, errorSchema }, unwrapErrorHandler(handler));
  }

  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    try {
      return this.validatorFor(schema as Schema, rootSchema as Schema).validate(asJson(formData)).valid;
    } catch {
      return false;
    }
  }

  reset(): void {
    this.cache = new WeakMap();
  }
}

export const validator = new InterpretingValidator();
