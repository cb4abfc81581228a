import Form from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useMemo } from 'react';

/** The JSON Schema the form library understands (draft-07 ajv): `$schema` dropped. */
export function formSchema(schema: Record<string, unknown>): RJSFSchema {
  const { $schema: _s, ...rest } = schema;
  return rest as RJSFSchema;
}

/**
 * Form hints from the schema: a field's default is shown as its placeholder rather than written
 * into the params, so a saved spec holds only what the user chose.
 */
export function formUiSchema(schema: Record<string, unknown>): UiSchema {
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  const properties = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [name, prop] of Object.entries(properties)) {
    if (prop && typeof prop === 'object' && prop.default !== undefined && typeof prop.default !== 'object') {
      ui[name] = { 'ui:placeholder': `default: ${String(prop.default)}` };
    }
  }
  return ui;
}

/** A form generated from a JSON Schema, with live per-field errors. */
export function ParamForm({
  id,
  schema,
  value,
  onChange,
  label,
}: {
  id: string;
  schema: Record<string, unknown>;
  value: Record<string, unknown>;
  onChange(v: Record<string, unknown>): void;
  label: string;
}) {
  const rjsfSchema = useMemo(() => formSchema(schema), [schema]);
  const uiSchema = useMemo(() => formUiSchema(schema), [schema]);
  return (
    <div className="param-form" role="group" aria-label={label}>
      <Form
        idPrefix={id}
        tagName="div"
        schema={rjsfSchema}
        uiSchema={uiSchema}
        validator={validator}
        formData={value}
        liveValidate="onChange"
        showErrorList={false}
        noHtml5Validate
        experimental_defaultFormStateBehavior={{ emptyObjectFields: 'populateRequiredDefaults' }}
        onChange={(e) => onChange((e.formData ?? {}) as Record<string, unknown>)}
      />
    </div>
  );
}
