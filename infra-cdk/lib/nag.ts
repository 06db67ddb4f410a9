// cdk-nag (v3) acknowledgments: one call per finding, each with a reason that says why, and the finding ids of
// wildcard IAM resources computed from the same tokens the policy uses, so they never drift from the template.
import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges one AwsSolutions finding (e.g. `IAM5[Resource::*]`) on `scope` and everything below it. */
export function acknowledge(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${finding}`, reason });
}

/** The IAM5 finding cdk-nag reports for a wildcard resource ARN, rendered the way cdk-nag flattens intrinsics. */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  return `IAM5[Resource::${flatten(Stack.of(scope).resolve(arn))}]`;
}

/** The IAM4 finding for an AWS managed policy. */
export function managedPolicyFinding(policyName: string): string {
  return `IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`;
}

// Mirrors cdk-nag's flattenCfnReference (not exported from its package root).
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    if (Array.isArray(record['Fn::Join'])) {
      const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (record['Fn::Sub'] !== undefined) return flatten(record['Fn::Sub']);
    if (Array.isArray(record['Fn::GetAtt'])) {
      const [resource, attribute] = record['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (record['Fn::ImportValue'] !== undefined) return flatten(record['Fn::ImportValue']);
    if (record.Ref !== undefined) return `<${flatten(record.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * Skips one checkov check on one resource (CloudFormation Metadata `checkov.skip`, which checkov reads), with the reason
 * as its comment: for findings that hold for a single resource, so a new resource with the same finding still fails.
 */
export function checkovSkip(scope: IConstruct, check: string, reason: string): void {
  const resource = (scope.node.defaultChild ?? scope) as CfnResource;
  const existing = (resource.getMetadata('checkov') as { skip?: object[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, { id: check, comment: reason }] });
}
