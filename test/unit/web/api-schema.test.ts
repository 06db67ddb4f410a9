// The web app's typed client is generated from the manifests; a route or schema change must regenerate it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifests } from '../../../functions/manifests';
import { generateWebApiSchema, SCHEMA_FILE } from '../../../scripts/web-api';
import { SHARED_PAGES } from '../../../web/src/api/shared-pages';

describe('web/src/api/schema.d.ts', () => {
  it('matches the OpenAPI document the manifests describe now (else run npm run web:api)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await generateWebApiSchema());
  });
});

describe('web/src/api/shared-pages.ts', () => {
  it('names exactly the routes the edge shares among viewers, which the client asks for without a token', () => {
    const edgeCached = manifests.flatMap((manifest) =>
      Object.values(manifest.routes).flatMap((route) => (route.edgeCacheSeconds ? [route.path] : [])),
    );
    expect(new Set(edgeCached)).toEqual(SHARED_PAGES);
  });
});
