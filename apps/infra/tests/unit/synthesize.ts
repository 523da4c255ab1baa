import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { createCtrStreamApp } from '../../src/app.js';
import type { CtrStreamStack } from '../../src/ctr-stream-stack.js';
import { LAMBDA_BUNDLE_ENTRY, resolveLambdaBundleDirectory } from '../../src/lambda-bundle.js';

const infraDirectory = fileURLToPath(new URL('../../', import.meta.url));

/** The context of cdk.json (feature flags), so that tests synthesize exactly what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(infraDirectory, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

let fallbackBundle: string | undefined;

/**
 * The real apps/lambda bundle when it has been built; otherwise a one-line stand-in (the template only references
 * the asset by hash, which the snapshot normalises, so the stand-in changes nothing that the tests assert).
 */
export function testBundleDirectory(): string {
  const real = resolveLambdaBundleDirectory();
  if (existsSync(join(real, LAMBDA_BUNDLE_ENTRY))) return real;
  if (!fallbackBundle) {
    fallbackBundle = mkdtempSync(join(tmpdir(), 'ctr-infra-bundle-'));
    writeFileSync(
      join(fallbackBundle, LAMBDA_BUNDLE_ENTRY),
      'export const handler = async (event) => ({ records: [] });\n',
    );
  }
  return fallbackBundle;
}

/** A synthesized template's JSON: untyped by nature, asserted on field by field. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON has no static type; tests navigate it freely.
export type CfnJson = any;

export interface Synthesized {
  stack: CtrStreamStack;
  template: Template;
  json: Record<string, CfnJson>;
}

/** Synthesizes the stack for one set of context values (plus cdk.json's feature flags). */
export function synthesize(context: Record<string, unknown>): Synthesized {
  const { stack } = createCtrStreamApp({
    context: { ...cdkJsonContext(), ...context },
    lambdaBundleDirectory: testBundleDirectory(),
  });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() };
}

/** The template with asset hashes replaced, for a snapshot that does not change with every Lambda build. */
export function normalisedTemplate(json: Record<string, unknown>): unknown {
  const text = JSON.stringify(json, null, 2).replace(/[0-9a-f]{64}/g, '<asset-hash>');
  return JSON.parse(text);
}

/** Resources of one CloudFormation type, keyed by logical ID. */
export function resourcesOfType(json: Record<string, CfnJson>, type: string): Record<string, CfnJson> {
  return Object.fromEntries(
    Object.entries(json.Resources as Record<string, CfnJson>).filter(
      ([, resource]) => resource.Type === type,
    ),
  );
}

export interface IamStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every AWS::IAM::Policy and inline role policy in the template. */
export function iamStatements(json: Record<string, CfnJson>): IamStatement[] {
  const statements: IamStatement[] = [];
  for (const policy of Object.values(resourcesOfType(json, 'AWS::IAM::Policy'))) {
    statements.push(...policy.Properties.PolicyDocument.Statement);
  }
  for (const role of Object.values(resourcesOfType(json, 'AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) statements.push(...inline.PolicyDocument.Statement);
  }
  return statements;
}

/** The statement with this Sid, across all policies (fails the lookup loudly). */
export function statementBySid(json: Record<string, CfnJson>, sid: string): IamStatement {
  const found = iamStatements(json).filter((statement) => statement.Sid === sid);
  if (found.length !== 1)
    throw new Error(`expected one IAM statement with Sid ${sid}, found ${found.length}`);
  return found[0]!;
}

export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** The one resource of a type (fails loudly when there are zero or several). */
export function onlyResource(json: Record<string, CfnJson>, type: string): { id: string; resource: CfnJson } {
  const entries = Object.entries(resourcesOfType(json, type));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  const [id, resource] = entries[0]!;
  return { id, resource };
}
