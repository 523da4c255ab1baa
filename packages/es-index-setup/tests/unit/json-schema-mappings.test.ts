import { describe, expect, it } from 'vitest';
import {
  classifySchemaNode,
  type JsonSchemaNode,
  type MappingRules,
  mappingPropertiesFromJsonSchema,
} from '../../src/json-schema-mappings.js';

const kindRules: MappingRules = { leaf: (_path, kind) => ({ type: kind.kind }) };

describe('classifySchemaNode', () => {
  it('reads zod 4 nullable, open enum, date-time, integer, record and unknown nodes', () => {
    expect(
      classifySchemaNode({ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] }),
    ).toEqual({ kind: 'date' });
    expect(
      classifySchemaNode({
        anyOf: [{ type: 'string', enum: ['VOICE'] }, { type: 'string' }, { type: 'null' }],
      }),
    ).toEqual({
      kind: 'string',
    });
    expect(classifySchemaNode({ type: 'integer', minimum: 0, maximum: 9007199254740991 })).toEqual({
      kind: 'integer',
      minimum: 0,
      maximum: 9007199254740991,
    });
    expect(
      classifySchemaNode({
        type: 'object',
        propertyNames: { type: 'string' },
        additionalProperties: { type: 'string' },
      }),
    ).toEqual({
      kind: 'map',
    });
    expect(classifySchemaNode({})).toEqual({ kind: 'unknown' });
    expect(classifySchemaNode({ type: ['integer', 'null'] })).toMatchObject({ kind: 'integer' });
    expect(classifySchemaNode({ const: 'x' })).toEqual({ kind: 'string' });
  });

  it('looks through arrays and merges unions the way Elasticsearch would store them', () => {
    expect(classifySchemaNode({ type: 'array', items: { type: 'string', format: 'date-time' } })).toEqual({
      kind: 'date',
    });
    expect(classifySchemaNode({ anyOf: [{ type: 'integer' }, { type: 'number' }] })).toEqual({
      kind: 'number',
    });
    expect(
      classifySchemaNode({ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'string' }] }),
    ).toEqual({ kind: 'string' });
    expect(
      classifySchemaNode({ anyOf: [{ type: 'string' }, { type: 'object', properties: { a: {} } }] }),
    ).toEqual({ kind: 'unknown' });
    expect(classifySchemaNode({ type: 'array' })).toEqual({ kind: 'unknown' });
  });

  it('maps a member accepted whatever its shape by its documented alternative', () => {
    // ctr-schema's undocumented members: anyOf [documented shape, {}] (any JSON value).
    expect(
      classifySchemaNode({ description: 'any', anyOf: [{ type: 'string', format: 'date-time' }, {}] }),
    ).toEqual({ kind: 'date' });
    expect(classifySchemaNode({ anyOf: [{ type: 'string' }, { description: 'anything' }] })).toEqual({
      kind: 'string',
    });
    expect(classifySchemaNode({})).toEqual({ kind: 'unknown' });
    expect(classifySchemaNode({ anyOf: [{}, { type: 'null' }] })).toEqual({ kind: 'unknown' });
  });
});

describe('mappingPropertiesFromJsonSchema', () => {
  it('maps objects to properties and hands leaves to the rules with their path', () => {
    const seen: string[] = [];
    const schema: JsonSchemaNode = {
      type: 'object',
      properties: {
        Queue: {
          anyOf: [
            { type: 'object', properties: { Name: { type: 'string' } }, additionalProperties: {} },
            { type: 'null' },
          ],
        },
        Recordings: {
          type: 'array',
          items: { type: 'object', properties: { Location: { type: 'string' } } },
        },
      },
    };
    const properties = mappingPropertiesFromJsonSchema(schema, {
      leaf: (path) => {
        seen.push(path.join('.'));
        return { type: 'keyword' };
      },
    });
    expect(properties).toEqual({
      Queue: { properties: { Name: { type: 'keyword' } } },
      Recordings: { properties: { Location: { type: 'keyword' } } },
    });
    expect(seen).toEqual(['Queue.Name', 'Recordings.Location']);
  });

  it('resolves $ref to $defs and stops at a recursive reference instead of expanding it forever', () => {
    const schema: JsonSchemaNode = {
      type: 'object',
      properties: { Expression: { $ref: '#/$defs/Expression' } },
      $defs: {
        Expression: {
          type: 'object',
          properties: {
            Name: { type: 'string' },
            AndExpression: { type: 'array', items: { $ref: '#/$defs/Expression' } },
          },
        },
      },
    };
    expect(mappingPropertiesFromJsonSchema(schema, kindRules)).toEqual({
      Expression: { properties: { Name: { type: 'string' }, AndExpression: { type: 'unknown' } } },
    });
  });

  it('lets an override replace a subtree without descending into it', () => {
    const schema: JsonSchemaNode = {
      type: 'object',
      properties: { A: { type: 'object', properties: { B: { type: 'string' } } }, C: { type: 'boolean' } },
    };
    const properties = mappingPropertiesFromJsonSchema(schema, {
      ...kindRules,
      override: (path) => (path.join('.') === 'A' ? { type: 'flattened' } : undefined),
    });
    expect(properties).toEqual({ A: { type: 'flattened' }, C: { type: 'boolean' } });
  });

  it('returns no properties for a schema that is not an object', () => {
    expect(mappingPropertiesFromJsonSchema({ type: 'string' }, kindRules)).toEqual({});
  });
});

describe('allOf', () => {
  it('merges the parts of an allOf into one object', () => {
    const schema: JsonSchemaNode = {
      type: 'object',
      properties: {
        Both: {
          allOf: [
            { type: 'object', properties: { A: { type: 'string' } } },
            { properties: { B: { type: 'integer' } } },
          ],
        },
      },
    };
    expect(mappingPropertiesFromJsonSchema(schema, kindRules)).toEqual({
      Both: { properties: { A: { type: 'string' }, B: { type: 'integer' } } },
    });
  });
});
