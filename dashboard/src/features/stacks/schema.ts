/**
 * A flavor's configuration JSON schema (pydantic's) made ready for a generated form, and the
 * form's data made ready for the API. Pure functions: the form, the tests and the builder share them.
 */
import { MASK } from "../../api/stacks";

export type JsonSchema = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Whether a property holds a credential: its value is write-only and masked wherever shown. */
export function isSecretProperty(property: unknown): boolean {
  return isObject(property) && (property.writeOnly === true || property.format === "password" || property.secret === true);
}

/** The names of a schema's secret-marked properties. */
export function secretFields(schema: JsonSchema | undefined): string[] {
  const properties = schema && isObject(schema.properties) ? schema.properties : {};
  return Object.keys(properties).filter((name) => isSecretProperty(properties[name]));
}

/**
 * pydantic writes an optional field as `anyOf: [X, {type: "null"}]` with `default: null`; a form
 * would offer a choice between "Option 1" and "Option 2" for it. A field left empty is simply not
 * sent, so the field is X (its title, description and markers kept) and the null default goes.
 */
function simplifyProperty(property: unknown): unknown {
  if (!isObject(property)) return property;
  let out: Record<string, unknown> = { ...property };
  const options = Array.isArray(out.anyOf) ? (out.anyOf as unknown[]) : undefined;
  if (options) {
    const others = options.filter((o) => !(isObject(o) && o.type === "null"));
    if (others.length === 1 && others.length < options.length && isObject(others[0])) {
      const rest = { ...out };
      delete rest.anyOf;
      out = { ...others[0], ...rest };
    }
  }
  if (out.default === null) delete out.default;
  if (isObject(out.items)) out.items = simplifyProperty(out.items);
  if (isObject(out.properties)) out.properties = simplifyProperties(out.properties);
  return out;
}

function simplifyProperties(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, simplifyProperty(p)]));
}

/** The schema the form draws: optional fields as plain fields, without the model's own title (the form has one). */
export function formSchema(configSchema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...configSchema, type: "object" };
  delete out.title;
  delete out.description;
  if (isObject(configSchema.properties)) out.properties = simplifyProperties(configSchema.properties);
  return out;
}

/**
 * The config to send: empty values left out (the flavor's defaults apply), a secret field the user
 * did not touch sent as the mask (the server keeps its stored value), nothing else changed.
 */
export function configToSend(formData: unknown): Record<string, unknown> {
  if (!isObject(formData)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(formData)) {
    if (value === undefined || value === null || value === "") continue;
    out[key] = value;
  }
  return out;
}

/** What a secret field shows for a value that is stored but never sent back. */
export const SET_PLACEHOLDER = "•••••••• (set; type to replace)";

/** Whether a stored value of a secret field is set and hidden (the mask) rather than a `{{secret.…}}` reference. */
export const isMasked = (value: unknown) => value === MASK;

/** `{{secret.NAME.KEY}}`: a secret's value by reference, resolved where the component is used. */
export const REFERENCE = /^\{\{\s*secret\.[A-Za-z0-9][A-Za-z0-9_.-]*\.[^}\s]+\s*\}\}$/;

export const secretReference = (secret: string, key: string) => `{{secret.${secret}.${key}}}`;
