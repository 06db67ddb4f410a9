// CDK entry point (cdk.json "app"): the platform built from functions/manifests.ts.
import { buildApp } from '../lib/app';

buildApp().app.synth();
