import { Alert, Button, Center, Group, Loader, Select, Stack, Text, TextInput } from "@mantine/core";
import type Form from "@rjsf/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Suspense, lazy, useRef, useState } from "react";

import {
  COMPONENT_TYPES,
  type ComponentType,
  MASK,
  type StackComponent,
  type VerifyResult,
  createComponent,
  stackKeys,
  stackQueries,
  typeLabel,
  updateComponent,
  verifyComponent,
  verifyUnsavedComponent,
} from "../../api/stacks";
import { configToSend } from "./schema";
import { useStackAccess } from "./useStackAccess";
import { VerifyLine } from "./VerifyLine";

// react-jsonschema-form loads when a form is first opened, not with the stacks pages' lists.
const ConfigForm = lazy(() => import("./ConfigForm").then((m) => ({ default: m.ConfigForm })));

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function nameProblem(name: string): string | undefined {
  if (!name.trim()) return "A name is required.";
  if (!NAME.test(name.trim())) return "Letters, digits, '_', '.', '-' only, starting with a letter or digit (at most 100).";
  return undefined;
}

/**
 * Register a component (or change one): its type and flavor, a name, a connector when the flavor
 * takes one, and the flavor's configuration as a form generated from its JSON schema. Verify reaches
 * the resource before saving (nothing saved) and after; either result shows in place.
 */
export function ComponentForm({
  type: fixedType,
  component,
  onSaved,
  onCancel,
}: {
  /** The type the new component must be (the builder's "Create a new …"); absent: the user picks. */
  type?: ComponentType | undefined;
  /** The component to change; absent: a new one. */
  component?: StackComponent | undefined;
  onSaved: (component: StackComponent) => void;
  onCancel?: () => void;
}) {
  const queryClient = useQueryClient();
  const access = useStackAccess();
  const [type, setType] = useState<ComponentType>(component?.type ?? fixedType ?? "orchestrator");
  const flavors = useQuery(stackQueries.flavors());
  const ofType = (flavors.data ?? []).filter((f) => f.type === type);
  const [flavorName, setFlavorName] = useState<string | null>(component?.flavor ?? null);
  const flavorPicked = flavorName ?? ofType[0]?.name ?? null;
  const flavor = useQuery({ ...stackQueries.flavor(type, flavorPicked ?? ""), enabled: !!flavorPicked });
  const connectors = useQuery(stackQueries.connectors());
  const mayReadSecrets = access.can("secret:read");
  const secrets = useQuery({ ...stackQueries.secrets(), enabled: mayReadSecrets });
  const [name, setName] = useState(component?.name ?? "");
  const [nameTouched, setNameTouched] = useState(false);
  const [description, setDescription] = useState(component?.description ?? "");
  const [connector, setConnector] = useState<string | null>(component?.connector ?? null);
  const [config, setConfig] = useState<Record<string, unknown>>(component?.config ?? {});
  const [showAll, setShowAll] = useState(false);
  const [saved, setSaved] = useState<StackComponent | undefined>(component);
  const [dirty, setDirty] = useState(false);
  const formRef = useRef<Form>(null);
  const box = useRef<HTMLDivElement>(null);

  const connectorTypes = flavor.data?.connector_types ?? [];
  const usable = (connectors.data ?? []).filter((c) => connectorTypes.includes(c.type));
  const problem = nameProblem(name);
  // A changed component with stored secret values verifies once saved: the unsaved form does not hold them.
  const verifyAfterSave = !!saved && dirty && Object.values(config).includes(MASK);

  /** Every field checked at once (errors show in place); false when one is wrong. */
  const check = () => {
    setShowAll(true);
    setNameTouched(true);
    const formOk = formRef.current ? formRef.current.validateForm() : true;
    // The first wrong field takes the focus, once its error is drawn.
    if (!formOk || problem) requestAnimationFrame(() => box.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    return formOk && !problem;
  };

  const body = () => ({
    name: name.trim(),
    type,
    flavor: flavorPicked ?? "",
    config: configToSend(config),
    connector: connector || null,
    description: description.trim() || null,
  });

  const verify = useMutation({
    mutationFn: (): Promise<VerifyResult> => (saved && !dirty ? verifyComponent(saved.id) : verifyUnsavedComponent(body())),
  });
  const save = useMutation({
    mutationFn: () => {
      const b = body();
      if (saved) {
        return updateComponent(saved.id, { name: b.name, config: b.config, connector: connector ?? "", description: b.description });
      }
      return createComponent(b);
    },
    onSuccess: async (made) => {
      setSaved(made);
      setDirty(false);
      verify.reset();
      await queryClient.invalidateQueries({ queryKey: stackKeys.all });
      onSaved(made);
    },
  });

  const changed = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setDirty(true);
    verify.reset();
    save.reset();
  };

  const editing = !!component;
  return (
    <Stack gap="sm" data-testid="component-form" ref={box}>
      <Group align="flex-start" grow>
        {!editing && !fixedType ? (
          <Select
            label="Type"
            data={COMPONENT_TYPES.map((t) => ({ value: t, label: typeLabel(t) }))}
            value={type}
            allowDeselect={false}
            onChange={(v) => {
              if (!v) return;
              changed(setType)(v as ComponentType);
              setFlavorName(null);
              setConnector(null);
              setConfig({});
            }}
          />
        ) : (
          <TextInput label="Type" value={typeLabel(type)} readOnly variant="filled" />
        )}
        <Select
          label="Flavor"
          data={ofType.map((f) => ({ value: f.name, label: f.source === "builtin" ? f.name : `${f.name} (${f.source})` }))}
          value={flavorPicked}
          allowDeselect={false}
          disabled={editing}
          placeholder={flavors.isPending ? "Loading…" : ofType.length ? "Pick a flavor" : `No ${typeLabel(type)} flavor is installed`}
          onChange={(v) => {
            changed(setFlavorName)(v);
            setConnector(null);
            setConfig({});
          }}
        />
      </Group>
      {flavor.data && (
        <Text fz="sm" c="dimmed">
          {flavor.data.description}
        </Text>
      )}
      <Group align="flex-start" grow>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => changed(setName)(e.currentTarget.value)}
          onBlur={() => setNameTouched(true)}
          error={nameTouched ? problem : undefined}
          placeholder={`my-${type.replace(/_/g, "-")}`}
        />
        {connectorTypes.length > 0 && (
          <Select
            label="Connector"
            description={`Credentials from a ${connectorTypes.join(" or ")} connector`}
            data={usable.map((c) => ({ value: c.name, label: `${c.name} (${c.type})` }))}
            value={connector}
            onChange={changed(setConnector)}
            clearable
            placeholder={usable.length ? "None" : `No ${connectorTypes.join(" or ")} connector registered`}
          />
        )}
      </Group>
      <TextInput label="Description" value={description} onChange={(e) => changed(setDescription)(e.currentTarget.value)} placeholder="Optional" />
      {flavor.error && (
        <Alert color="red" role="alert">
          {flavor.error.message}
        </Alert>
      )}
      {flavor.data && (
        <Suspense
          fallback={
            <Center py="sm">
              <Loader size="sm" aria-label="Loading the form" />
            </Center>
          }
        >
          <ConfigForm
            key={`${type}/${flavorPicked}`}
            configSchema={flavor.data.config_schema}
            value={config}
            onChange={changed(setConfig)}
            secrets={secrets.data ?? []}
            showAll={showAll}
            formRef={formRef}
            initial={component?.config}
          />
        </Suspense>
      )}
      {save.error && (
        <Text fz="sm" c="red" role="alert" data-testid="server-error">
          {save.error.message}
        </Text>
      )}
      <VerifyLine result={verify.data} error={verify.error} pending={verify.isPending} />
      <Group justify="space-between">
        <Button
          variant="default"
          onClick={() => check() && verify.mutate()}
          loading={verify.isPending}
          disabled={!flavor.data || verifyAfterSave}
          title={verifyAfterSave ? "Save first: the stored secret values are checked on the server" : undefined}
        >
          {saved && !dirty ? "Verify" : "Verify before saving"}
        </Button>
        <Group gap="xs">
          {onCancel && (
            <Button variant="subtle" color="gray" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button onClick={() => check() && save.mutate()} loading={save.isPending} disabled={!flavor.data || (!!saved && !dirty)}>
            {editing || saved ? "Save changes" : "Register component"}
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
