import { Anchor, Group, Menu, PasswordInput, Text, UnstyledButton } from "@mantine/core";
import type Form from "@rjsf/core";
import { withTheme } from "@rjsf/core";
import templates from "@rjsf/mantine/lib/templates/index.js";
import CheckboxWidget from "@rjsf/mantine/lib/widgets/CheckboxWidget.js";
import CheckboxesWidget from "@rjsf/mantine/lib/widgets/CheckboxesWidget.js";
import PasswordWidget from "@rjsf/mantine/lib/widgets/PasswordWidget.js";
import RadioWidget from "@rjsf/mantine/lib/widgets/RadioWidget.js";
import RangeWidget from "@rjsf/mantine/lib/widgets/RangeWidget.js";
import SelectWidget from "@rjsf/mantine/lib/widgets/SelectWidget.js";
import TextareaWidget from "@rjsf/mantine/lib/widgets/TextareaWidget.js";
import type { RJSFValidationError, UiSchema, WidgetProps } from "@rjsf/utils";
import { type Ref, useMemo, useRef, useState } from "react";

import { MASK, type Secret } from "../../api/stacks";
import { type JsonSchema, REFERENCE, SET_PLACEHOLDER, formSchema, isMasked, secretFields, secretReference } from "./schema";
import { validator } from "./validator";

export interface ConfigFormContext {
  /** Secrets whose keys a secret field may refer to (`{{secret.NAME.KEY}}`); empty when the caller may not read them. */
  secrets: readonly Secret[];
}

/**
 * A write-only field: a password input that is empty when the value is set (it shows the dots
 * instead), sends the mask (keep the stored value) until the user types, and offers the
 * workspace's secrets by reference.
 */
function SecretWidget(props: WidgetProps) {
  const { id, value, label, required, disabled, readonly, rawErrors, onChange, onBlur, onFocus, schema, registry, hideLabel } = props;
  const context = registry.formContext as ConfigFormContext | undefined;
  const stored = isMasked(value);
  const reference = typeof value === "string" && REFERENCE.test(value);
  const [visible, setVisible] = useState(reference);
  const keys = (context?.secrets ?? []).flatMap((s) => s.keys.map((k) => ({ secret: s.name, key: k })));
  const description = (
    <Group gap="xs" component="span" wrap="nowrap" justify="space-between">
      <span>{schema.description}</span>
      {!disabled && !readonly && (
        <Group gap="xs" component="span" wrap="nowrap">
          {stored && (
            <Anchor component="button" type="button" fz="xs" onClick={() => onChange(undefined)} aria-label={`Clear ${label}`}>
              Clear
            </Anchor>
          )}
          {keys.length > 0 && (
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton fz="xs" c="blue" aria-label={`Use a secret for ${label}`}>
                  Use a secret
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                {keys.map((k) => (
                  <Menu.Item
                    key={`${k.secret}.${k.key}`}
                    ff="monospace"
                    fz="xs"
                    onClick={() => {
                      setVisible(true);
                      onChange(secretReference(k.secret, k.key));
                    }}
                  >
                    {k.secret}.{k.key}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
      )}
    </Group>
  );
  return (
    <PasswordInput
      id={id}
      name={id}
      label={hideLabel ? undefined : label}
      description={description}
      required={required}
      disabled={disabled || readonly}
      autoComplete="new-password"
      value={stored ? "" : typeof value === "string" ? value : ""}
      placeholder={stored ? SET_PLACEHOLDER : undefined}
      visible={visible}
      onVisibilityChange={setVisible}
      data-secret-field
      data-stored={stored || undefined}
      error={rawErrors?.length ? rawErrors.join("\n") : undefined}
      // Emptied again, a stored value stays as it was; "Clear" removes it.
      onChange={(e) => onChange(e.currentTarget.value === "" ? (props.options.storedValue ? MASK : undefined) : e.currentTarget.value)}
      onBlur={(e) => onBlur(id, e.currentTarget.value)}
      onFocus={(e) => onFocus(id, e.currentTarget.value)}
      styles={{ description: { width: "100%" } }}
    />
  );
}

/**
 * The Mantine theme of react-jsonschema-form without its date widgets (they bring @mantine/dates
 * and dayjs; no flavor's configuration has a date): a date field falls back to a plain input.
 */
const MantineForm = withTheme({
  templates,
  widgets: { CheckboxWidget, CheckboxesWidget, PasswordWidget, RadioWidget, RangeWidget, SelectWidget, TextareaWidget },
});

/** `root_to_0` → `to`: the top-level field a form element belongs to (names may hold `_` themselves). */
export function fieldOf(id: string, fields: readonly string[]): string | undefined {
  const rest = id.replace(/^root_/, "");
  return [...fields].sort((a, b) => b.length - a.length).find((f) => rest === f || rest.startsWith(`${f}_`));
}

/**
 * A flavor's configuration as a form generated from its JSON schema (react-jsonschema-form, Mantine
 * widgets): fields are checked as they are left, all of them once a save or a verify was tried
 * (`showAll`); secret fields are write-only.
 */
export function ConfigForm({
  configSchema,
  value,
  onChange,
  secrets,
  disabled,
  showAll,
  formRef,
  initial,
}: {
  configSchema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  secrets: readonly Secret[];
  disabled?: boolean;
  /** Show every field's errors, not only those of fields the user has left. */
  showAll: boolean;
  formRef: Ref<Form>;
  /** The config as saved (editing): its masked secret fields keep their value until replaced. */
  initial?: Record<string, unknown> | undefined;
}) {
  const schema = useMemo(() => formSchema(configSchema), [configSchema]);
  const touched = useRef(new Set<string>());
  const uiSchema = useMemo(() => {
    const ui: UiSchema = { "ui:submitButtonOptions": { norender: true } };
    for (const name of secretFields(configSchema)) {
      ui[name] = { "ui:widget": "secret", "ui:options": { storedValue: isMasked(initial?.[name]) } };
    }
    return ui;
  }, [configSchema, initial]);
  const context = useMemo<ConfigFormContext>(() => ({ secrets }), [secrets]);
  const transformErrors = (errors: RJSFValidationError[]) =>
    showAll ? errors : errors.filter((e) => touched.current.has((e.property ?? "").replace(/^\./, "").split(".")[0] ?? ""));
  if (!Object.keys((schema.properties as object | undefined) ?? {}).length && schema.additionalProperties === false) {
    return (
      <Text fz="sm" c="dimmed">
        This flavor has nothing to configure.
      </Text>
    );
  }
  return (
    <MantineForm
      ref={formRef}
      schema={schema}
      uiSchema={uiSchema}
      formData={value}
      validator={validator}
      widgets={{ secret: SecretWidget }}
      formContext={context}
      disabled={disabled}
      liveValidate={showAll ? "onChange" : "onBlur"}
      transformErrors={transformErrors}
      showErrorList={false}
      // Each error shows under its field (rjsf's own focusing needs a <form>; this is a div inside one).
      onError={() => undefined}
      noHtml5Validate
      onBlur={(id) => {
        const field = fieldOf(id, Object.keys((schema.properties as object | undefined) ?? {}));
        if (field) touched.current.add(field);
      }}
      onChange={(event) => onChange((event.formData ?? {}) as Record<string, unknown>)}
      tagName="div"
    />
  );
}
