import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  InvalidOptionError,
  parseTarget,
  TargetDetectionError,
  targetForVersion,
  targetFromStatusBody,
  targetProfile,
} from '../../src/index.js';

describe('parseTarget', () => {
  it.each([
    ['kibana-7.10', 'kibana-7.10'],
    ['kibana-8.0', 'kibana-8.0'],
    ['kibana-8.8', 'kibana-8.8'],
    ['opensearch-dashboards-2', 'opensearch-dashboards-2'],
    ['kibana@7.10.2', 'kibana-7.10'],
    ['kibana@7.17.0', 'kibana-7.10'],
    ['kibana@8.0.0', 'kibana-8.0'],
    ['kibana@8.7.1', 'kibana-8.0'],
    ['kibana@8.8.0', 'kibana-8.8'],
    ['kibana@8.19.3', 'kibana-8.8'],
    ['kibana-9', 'kibana-8.8'],
    ['Kibana@9.1.0', 'kibana-8.8'],
    ['opensearch-dashboards@2.11.0', 'opensearch-dashboards-2'],
    ['osd-1', 'opensearch-dashboards-2'],
    ['osd@3.0.0', 'opensearch-dashboards-2'],
  ])('%s -> %s', (value, expected) => {
    expect(parseTarget(value)).toBe(expected);
  });

  it.each(['kibana-6', 'kibana@7.9.3', 'kibana@10.0.0', 'elasticsearch@8.0.0', '', 'kibana@', 'osd@4.0.0'])(
    'rejects %j',
    (value) => {
      expect(() => parseTarget(value)).toThrow(InvalidOptionError);
    },
  );
});

describe('targetForVersion and profiles', () => {
  it('sends osd-xsrf only to OpenSearch Dashboards and compatibilityMode only to 8.8+', () => {
    expect(targetProfile(targetForVersion('opensearch-dashboards', '2.11.0')).xsrfHeader).toBe('osd-xsrf');
    for (const version of ['7.10.2', '8.6.2', '8.15.0', '9.1.0']) {
      expect(targetProfile(targetForVersion('kibana', version)).xsrfHeader).toBe('kbn-xsrf');
    }
    expect(targetProfile(targetForVersion('kibana', '8.7.9')).supportsCompatibilityMode).toBe(false);
    expect(targetProfile(targetForVersion('kibana', '8.8.0')).supportsCompatibilityMode).toBe(true);
    expect(targetProfile(targetForVersion('kibana', '7.10.2')).supportsCompatibilityMode).toBe(false);
    expect(targetProfile('opensearch-dashboards-2').supportsCompatibilityMode).toBe(false);
  });

  it('compares versions numerically', () => {
    expect(compareVersions('7.10.2', '7.9.3')).toBeGreaterThan(0);
    expect(compareVersions('8.8.0', '8.8.0')).toBe(0);
    expect(compareVersions('8.0.0', '10.2.0')).toBeLessThan(0);
  });
});

describe('targetFromStatusBody', () => {
  const v7 = (number: string) => ({
    name: 'kibana',
    version: { number, build_hash: 'x', build_number: 1, build_snapshot: false },
    status: { overall: { state: 'green', title: 'Green' }, statuses: [] },
  });
  const v8 = (number: string) => ({
    name: 'kibana',
    version: { number, build_hash: 'x', build_number: 1, build_snapshot: false },
    status: { overall: { level: 'available', summary: 'ok' }, core: {}, plugins: {} },
  });

  it('reads Kibana 7.10 (v7 format)', () => {
    expect(targetFromStatusBody(v7('7.10.2'))).toEqual({
      target: 'kibana-7.10',
      product: 'kibana',
      version: '7.10.2',
      statusFormat: 'v7',
    });
  });

  it('reads Kibana 8 and 9 (v8 format)', () => {
    expect(targetFromStatusBody(v8('8.6.2')).target).toBe('kibana-8.0');
    expect(targetFromStatusBody(v8('8.15.3'))).toMatchObject({ target: 'kibana-8.8', statusFormat: 'v8' });
    expect(targetFromStatusBody(v8('9.1.0'))).toMatchObject({ target: 'kibana-8.8', product: 'kibana' });
  });

  it('tells OpenSearch Dashboards by its 1.x-3.x numbers', () => {
    expect(targetFromStatusBody(v7('2.11.0'))).toEqual({
      target: 'opensearch-dashboards-2',
      product: 'opensearch-dashboards',
      version: '2.11.0',
      statusFormat: 'v7',
    });
    expect(targetFromStatusBody(v7('1.3.19')).product).toBe('opensearch-dashboards');
  });

  it('asks for credentials or --target when Kibana 8 redacts the body', () => {
    expect(() => targetFromStatusBody({ status: { overall: { level: 'available' } } })).toThrow(
      /without its version.*--target/s,
    );
  });

  it.each([[null], ['<html>'], [{}], [{ version: { number: 7 } }]])('rejects %j', (body) => {
    expect(() => targetFromStatusBody(body)).toThrow(TargetDetectionError);
  });

  it('rejects unsupported versions with the reason', () => {
    expect(() => targetFromStatusBody(v7('6.8.23'))).toThrow(/not supported/);
  });
});
