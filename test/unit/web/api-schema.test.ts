// The web app's typed client is generated from the manifests; a route or schema change must regenerate it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateWebApiSchema, SCHEMA_FILE } from '../../../scripts/web-api';

describe('web/src/api/schema.d.ts', () => {
  it('matches the OpenAPI document the manifests describe now (else run npm run web:api)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await generateWebApiSchema());
  });
});
