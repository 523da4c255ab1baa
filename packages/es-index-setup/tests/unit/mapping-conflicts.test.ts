import { describe, expect, it } from 'vitest';
import { compareMappings } from '../../src/mapping-conflicts.js';

const wanted = {
  ContactId: { type: 'keyword' },
  Attributes: { type: 'flattened' },
  References: { type: 'object', enabled: false },
  Queue: {
    properties: {
      Name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      Duration: { type: 'integer' },
    },
  },
  CtrStream: { properties: { CallerLookup: { properties: { Status: { type: 'keyword' } } } } },
};

describe('compareMappings', () => {
  it('reports a tutorial-style dynamic mapping field by field', () => {
    const existing = {
      ContactId: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      Attributes: { properties: { greetingPlayed: { type: 'text' } } },
      References: { type: 'keyword' },
      Queue: { properties: { Name: { type: 'keyword' }, Duration: { type: 'long' } } },
    };
    const { conflicts, missing } = compareMappings('connect', existing, wanted);
    expect(conflicts).toEqual([
      { index: 'connect', field: 'ContactId', existingType: 'text', wantedType: 'keyword' },
      {
        index: 'connect',
        field: 'Attributes',
        existingType: 'object with 1 sub-fields',
        wantedType: 'flattened',
      },
      { index: 'connect', field: 'Queue.Name', existingType: 'keyword', wantedType: 'text' },
    ]);
    expect(missing).toEqual({ CtrStream: wanted.CtrStream });
  });

  it('finds nothing in an index made by the same template, and numbers of any width are compatible', () => {
    expect(compareMappings('connect', wanted, wanted)).toEqual({ conflicts: [], missing: {} });
    const withLong = {
      ...wanted,
      Queue: { properties: { ...wanted.Queue.properties, Duration: { type: 'long' } } },
    };
    expect(compareMappings('connect', withLong, wanted).conflicts).toEqual([]);
  });

  it('reports a missing keyword sub-field and a leaf where an object is wanted', () => {
    const existing = {
      ...wanted,
      Queue: { properties: { Name: { type: 'text' }, Duration: { type: 'integer' } } },
      CtrStream: { type: 'keyword' },
    };
    expect(compareMappings('connect-2024', existing, wanted).conflicts).toEqual([
      { index: 'connect-2024', field: 'Queue.Name.keyword', existingType: 'absent', wantedType: 'keyword' },
      { index: 'connect-2024', field: 'CtrStream', existingType: 'keyword', wantedType: 'object' },
    ]);
  });

  it('accepts an open map the index stores unindexed (made before the server had flattened) where flattened is wanted', () => {
    // Amazon ES 7.10 oss or OpenSearch < 2.7 upgraded in place: the index takes every document as it is.
    const existing = { ...wanted, Attributes: { type: 'object', enabled: false } };
    expect(compareMappings('connect', existing, wanted)).toEqual({ conflicts: [], missing: {} });
    const withoutType = { ...wanted, Attributes: { enabled: false } };
    expect(compareMappings('connect', withoutType, wanted).conflicts).toEqual([]);
    // An object with sub-fields is still a conflict: it refuses a scalar, and its leaves keep their types.
    const objectWithFields = { ...wanted, Attributes: { properties: { a: { type: 'text' } } } };
    expect(compareMappings('connect', objectWithFields, wanted).conflicts).toHaveLength(1);
    // Only for an open map: a stored-only field where a keyword is wanted is still a conflict (never searchable).
    const storedContactId = { ...wanted, ContactId: { type: 'object', enabled: false } };
    expect(compareMappings('connect', storedContactId, wanted).conflicts).toEqual([
      { index: 'connect', field: 'ContactId', existingType: 'object', wantedType: 'keyword' },
    ]);
  });

  it('lists everything as missing for an index without mappings', () => {
    expect(compareMappings('connect', undefined, wanted)).toEqual({ conflicts: [], missing: wanted });
  });
});
