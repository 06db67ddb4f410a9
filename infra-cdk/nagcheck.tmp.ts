import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '/work/main/infra-cdk/lib/app';
const { app } = buildApp({ appProps: { context: { 'aws:cdk:bundling-stacks': [] } } });
const asm = app.synth();
const report = new AwsSolutionsChecks().validateScope(app);
for (const v of report.violations) console.log(v.severity, v.ruleName, v.violatingResources.map((r) => r.constructPath).join(' | '));
console.log(asm.directory);
