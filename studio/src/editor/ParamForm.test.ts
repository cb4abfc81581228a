import { describe, expect, it } from 'vitest';
import { formSchema, formUiSchema } from './ParamForm';

describe('param form generation', () => {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      command: { type: 'string' },
      outputJson: { type: 'boolean', default: false },
      timeoutSeconds: { type: 'number', default: 86400 },
      tags: { type: 'array', default: [] },
    },
    required: ['command'],
  };
  it('drops $schema so the draft-07 form validator accepts zod’s 2020-12 output', () => {
    expect(formSchema(schema)).not.toHaveProperty('$schema');
    expect(formSchema(schema).required).toEqual(['command']);
  });
  it('shows scalar defaults as placeholders and hides the submit button', () => {
    expect(formUiSchema(schema)).toEqual({
      'ui:submitButtonOptions': { norender: true },
      outputJson: { 'ui:placeholder': 'default: false' },
      timeoutSeconds: { 'ui:placeholder': 'default: 86400' },
    });
  });
});
