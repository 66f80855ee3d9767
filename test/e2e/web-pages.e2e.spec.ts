import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';

// The built web front end (dist/web; `npm test` builds it first) served beside the API: the app for any page path,
// hashed bundles cached for good, the API's own paths untouched, and a Content-Security-Policy without inline script.
describe('the web pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the app at / and at any client route, never cached, with a strict policy and a fresh nonce', async () => {
    const nonces: string[] = [];
    for (const path of ['/', '/cases', '/cases/123/deep/link?x=1', '/sign-in']) {
      const response = await t.http().get(path).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.text).toContain('<div id="root"></div>');
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("style-src-attr 'unsafe-inline'");
      const nonce = /style-src-elem 'self' 'nonce-([^']+)'/.exec(csp)![1];
      expect(response.text).toContain(`<meta name="csp-nonce" content="${nonce}" />`);
      nonces.push(nonce);
      // No inline script: the only scripts are files of ours.
      expect(response.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    }
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('serves the hashed bundles as immutable, and a missing one as a 404 problem', async () => {
    const assets = readdirSync(join(process.cwd(), 'dist/web/assets'));
    const script = assets.find((name) => name.endsWith('.js'))!;
    expect(existsSync(join(process.cwd(), 'dist/web/assets', script))).toBe(true);
    const response = await t.http().get(`/assets/${script}`).expect(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await t.http().get('/assets/index-missing.js').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('leaves the API alone: unknown API paths stay problem+json 404s, and the docs keep their own policy', async () => {
    for (const path of ['/api/v1/no-such-thing', '/api/nothing', '/health/nothing']) {
      const response = await t.http().get(path).expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await t.http().get('/health').expect(200)).body).toEqual({ status: 'ok' });
    // The page app is GET only: a POST to a page path is not the app.
    await t.http().post('/cases').send({}).expect(404);
    const docs = await t.http().get('/api/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
  });
});
