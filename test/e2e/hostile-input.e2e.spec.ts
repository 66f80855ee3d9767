import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { newCaseBody } from '../support/cases.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_ADMIN } from '../support/factories.js';

// Issue 10: "a hostile-input run of 10,000 mutated requests got 61 × 500". Deterministic seeded mutations
// of valid requests to every route (bodies, query strings, headers and paths), sent over real HTTP with
// bounded concurrency as an admin, a surgeon and anonymously. No answer may be a 5xx, and no connection
// may fail. HOSTILE_REQUESTS and HOSTILE_SEED override the size and the seed of a run.
const TOTAL = Number(process.env.HOSTILE_REQUESTS ?? 10_000);
const SEED = Number(process.env.HOSTILE_SEED ?? 20_261_201);
const CONCURRENCY = 16;

type Caller = 'admin' | 'surgeon' | 'anonymous';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// mulberry32: small, fast and the same on every machine.
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

// A version-4 UUID from the generator, so that a seed names the same run everywhere.
function uuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + rng.int(4)).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface Fixtures {
  caseId: string;
  patientId: string;
  followUpId: string;
  complicationId: string;
  exportJobId: string;
  importId: string;
  tokenId: string;
  victimId: string;
  codeSystemId: string;
  questionnaireId: string;
  // A patient's questionnaire link (from the invitation mail the fixture sends) and a timepoint.
  questionnaireToken: string;
  timepoint: string;
}

interface Draft {
  method: string;
  path: string;
  query: Array<[string, string]>;
  // replaces the encoded query string when set (invalid percent-encoding, huge strings)
  rawQuery?: string;
  headers: Record<string, string | string[]>;
  body?: Json;
  bodyText?: string;
  bodyBytes?: Buffer;
  contentType?: string | null;
  // JSON texts that JSON.stringify cannot produce (1e400, a lone surrogate escape, 5,000 levels of
  // nesting), put into the body as marker strings and swapped in after stringify
  raw: string[];
  mutations: string[];
}

interface Route {
  method: string;
  // `:name` segments are filled from the fixtures
  path: string;
  callers: readonly Caller[];
  weight: number;
  query?: (rng: Rng) => Record<string, string>;
  body?: (rng: Rng) => Json;
  // A body that is not JSON (a CSV upload), with its content type.
  text?: (rng: Rng) => { text: string; contentType: string };
  headers?: (rng: Rng) => Record<string, string>;
  // The route hashes or verifies a password (argon2id, ~100 ms of CPU): only mutations that make the
  // body invalid, so that the run stays within its time.
  costly?: boolean;
}

const ALL: readonly Caller[] = ['admin', 'surgeon', 'anonymous'];
const HOSTILE_DATES = [
  '0000-01-01',
  '0000-12-31',
  '9999-12-31',
  '2025-02-30',
  '2025-13-01',
  '2025-00-10',
  '1799-12-31',
  '3000-01-01',
  '2024-02-29',
  '2023-02-29',
  '+002025-01-01',
  '2025-1-1',
  '20250101',
  '2025-01-01T00:00:00Z',
  '',
  '2025-01-01\u0000',
];
const BAD_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '%7B0b7e9a0c-0000-4000-8000-000000000000%7D',
  '%00',
  '%FF',
  '%E0%A4%A',
  '%2e%2e',
  'a%2Fb',
  '%20',
  '123',
  '-1',
  '__proto__',
  'constructor',
  'x'.repeat(600),
  '%C3%A9',
];
const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '1e308',
  '9007199254740993',
  '123456789012345678901234567890',
  '-0',
  '1e-400',
  '0.1e1',
  '4.000000000000001',
];

const caseQuery = () => ({
  from: '2025-01-01',
  to: '2025-12-31',
  side: 'right',
  releaseLocation: 'capsular',
  impingementRepair: 'true',
  status: 'draft',
  q: 'ILR-0',
  limit: '10',
});
const reportFilter = () => ({ from: '2024-01-01', to: '2025-12-31', releaseLocation: 'capsular' });
const ihot12 = () => [30, 40, 50, 40, 30, 40, 50, 40, 30, 40, 50, 40];
const followUpBody = (): Json => ({
  visitDate: '2025-05-01',
  contactMode: 'clinic',
  snapping: 'painful',
  groinPain: 6.5,
  satisfaction: 7,
  proms: {
    mhhs: {
      pain: 'mild',
      limp: 'slight',
      support: 'none',
      distance: 'six_blocks',
      stairs: 'normally_with_railing',
      shoesSocks: 'with_difficulty',
      sitting: 'ordinary_chair_one_hour',
      publicTransport: 'able',
    },
    ihot12: ihot12(),
    hosAdl: Array.from({ length: 17 }, (_, i) => (i === 3 ? 'na' : 3)),
  },
});
const complicationBody = (): Json => ({
  type: 'recurrent_snapping',
  onsetDate: '2025-09-01',
  recurrenceCause: 'incomplete_release',
  sinkGrade: 3,
  reoperation: { date: '2025-10-01', procedure: 'revision_release' },
  resolvedDate: '2025-11-01',
});
const mrn = (rng: Rng) => `HX${rng.int(1e9).toString(36).toUpperCase()}`;

const ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/api/v1/auth/login',
    callers: ['anonymous'],
    weight: 3,
    costly: true,
    body: () => ({ email: 'nobody@test.ilr', password: 'not-the-password' }),
  },
  { method: 'GET', path: '/api/v1/auth/me', callers: ALL, weight: 1 },
  {
    method: 'POST',
    path: '/api/v1/auth/password',
    callers: ALL,
    weight: 2,
    costly: true,
    body: () => ({ currentPassword: 'not-the-password', newPassword: 'a-new-long-password-1' }),
  },
  {
    method: 'POST',
    path: '/api/v1/auth/tokens',
    callers: ALL,
    weight: 2,
    body: () => ({ name: 'hostile run', expiresInDays: 30 }),
  },
  { method: 'GET', path: '/api/v1/auth/tokens', callers: ALL, weight: 1 },
  { method: 'DELETE', path: '/api/v1/auth/tokens/:tokenId', callers: ALL, weight: 1 },
  {
    method: 'POST',
    path: '/api/v1/users',
    callers: ALL,
    weight: 2,
    costly: true,
    body: (rng) => ({
      email: `hostile.${rng.int(1e9)}@test.ilr`,
      displayName: 'Dr Hostile',
      role: 'surgeon',
      password: 'a-long-password-1',
    }),
  },
  { method: 'GET', path: '/api/v1/users', callers: ALL, weight: 2, query: () => ({ limit: '5' }) },
  {
    method: 'PATCH',
    path: '/api/v1/users/:victimId',
    callers: ALL,
    weight: 2,
    body: () => ({ displayName: 'Dr Victim', active: true, role: 'registry_staff' }),
  },
  {
    method: 'POST',
    path: '/api/v1/patients',
    callers: ALL,
    weight: 4,
    body: (rng) => ({ mrn: mrn(rng), birthDate: '1990-04-02', sex: 'female', consent: 'given', deceasedDate: null }),
    headers: (rng) => ({ 'Idempotency-Key': `patient-${uuid(rng)}` }),
  },
  { method: 'GET', path: '/api/v1/patients', callers: ALL, weight: 2, query: () => ({ mrn: 'H1234567' }) },
  { method: 'GET', path: '/api/v1/patients/:patientId', callers: ALL, weight: 2 },
  {
    method: 'PATCH',
    path: '/api/v1/patients/:patientId',
    callers: ALL,
    weight: 3,
    body: () => ({ consent: 'given', sex: 'female', birthDate: '1990-04-02', deceasedDate: null }),
    headers: () => ({ 'If-Match': '"1"' }),
  },
  {
    method: 'POST',
    path: '/api/v1/cases',
    callers: ALL,
    weight: 8,
    body: (rng) => {
      const body = newCaseBody() as { [key: string]: Json };
      body.patient = { mrn: mrn(rng), birthDate: '1990-04-02', sex: 'female' };
      return body;
    },
    headers: (rng) => ({ 'Idempotency-Key': `case-${uuid(rng)}` }),
  },
  { method: 'GET', path: '/api/v1/cases', callers: ALL, weight: 4, query: caseQuery },
  { method: 'GET', path: '/api/v1/cases/:caseId', callers: ALL, weight: 3 },
  {
    method: 'PATCH',
    path: '/api/v1/cases/:caseId',
    callers: ALL,
    weight: 4,
    body: () => ({
      release: { technique: 'complete_tenotomy', allBundlesReleased: true },
      notes: 'hostile run',
      amendmentReason: 'operation note corrected',
    }),
    headers: () => ({ 'If-Match': '"1"' }),
  },
  {
    method: 'POST',
    path: '/api/v1/cases/:caseId/sign',
    callers: ALL,
    weight: 2,
    headers: () => ({ 'If-Match': '"1"' }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/cases/:caseId',
    callers: ALL,
    weight: 1,
    body: () => ({ reason: 'entered twice' }),
    headers: () => ({ 'If-Match': '"999"' }),
  },
  { method: 'GET', path: '/api/v1/cases/:caseId/history', callers: ALL, weight: 2 },
  {
    method: 'POST',
    path: '/api/v1/cases/:caseId/follow-ups',
    callers: ALL,
    weight: 5,
    body: followUpBody,
    headers: (rng) => ({ 'Idempotency-Key': `visit-${uuid(rng)}` }),
  },
  {
    method: 'PATCH',
    path: '/api/v1/follow-ups/:followUpId',
    callers: ALL,
    weight: 4,
    body: () => ({ groinPain: 3, proms: { ihot12: ihot12(), nahs: null }, contactMode: 'phone' }),
    headers: () => ({ 'If-Match': '"1"' }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/follow-ups/:followUpId',
    callers: ALL,
    weight: 1,
    body: () => ({ reason: 'duplicate' }),
    headers: () => ({ 'If-Match': '"999"' }),
  },
  {
    method: 'POST',
    path: '/api/v1/cases/:caseId/complications',
    callers: ALL,
    weight: 5,
    body: complicationBody,
    headers: (rng) => ({ 'Idempotency-Key': `complication-${uuid(rng)}` }),
  },
  {
    method: 'PATCH',
    path: '/api/v1/complications/:complicationId',
    callers: ALL,
    weight: 4,
    body: () => ({ sinkGrade: 4, clavienDindo: 'IIIb', resolvedDate: '2025-12-01', description: 'x' }),
    headers: () => ({ 'If-Match': '"1"' }),
  },
  {
    method: 'DELETE',
    path: '/api/v1/complications/:complicationId',
    callers: ALL,
    weight: 1,
    body: () => ({ reason: 'duplicate' }),
    headers: () => ({ 'If-Match': '"999"' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/data-quality',
    callers: ALL,
    weight: 2,
    query: () => ({ ...reportFilter(), format: 'json', limit: '20' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/outcomes',
    callers: ALL,
    weight: 2,
    query: () => ({ ...reportFilter(), groupBy: 'releaseLocation' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/outcomes.html',
    callers: ALL,
    weight: 1,
    query: () => ({ ...reportFilter(), groupBy: 'year' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/survival',
    callers: ALL,
    weight: 2,
    query: () => ({ ...reportFilter(), endpoint: 'recurrence', groupBy: 'releaseLocation' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/survival.html',
    callers: ALL,
    weight: 1,
    query: () => ({ endpoint: 'reoperation' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/funnel',
    callers: ALL,
    weight: 2,
    query: () => ({ ...reportFilter(), outcome: 'complication_90d', target: '0.1' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/funnel.html',
    callers: ALL,
    weight: 1,
    query: () => ({ outcome: 'recurrence_1y' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/cusum',
    callers: ALL,
    weight: 2,
    query: () => ({ outcome: 'recurrence_1y', p0: '0.1', oddsRatio: '2', h: '4.5' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/cusum.html',
    callers: ALL,
    weight: 1,
    query: () => ({ outcome: 'reoperation_1y' }),
  },
  { method: 'GET', path: '/api/v1/reference/prom-thresholds', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/fhir/CodeSystem', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/fhir/CodeSystem/:codeSystemId', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/fhir/Questionnaire', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/fhir/Questionnaire/:questionnaireId', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/exports/dictionary', callers: ALL, weight: 1, query: () => ({ format: 'json' }) },
  {
    method: 'GET',
    path: '/api/v1/exports/cases',
    callers: ALL,
    weight: 2,
    query: () => ({ ...reportFilter(), format: 'csv' }),
  },
  {
    method: 'GET',
    path: '/api/v1/exports/follow-ups',
    callers: ALL,
    weight: 2,
    query: () => ({ format: 'ndjson', identified: 'false' }),
  },
  {
    method: 'GET',
    path: '/api/v1/exports/complications',
    callers: ALL,
    weight: 2,
    query: () => ({ format: 'csv', impingementRepair: 'true' }),
  },
  {
    method: 'POST',
    path: '/api/v1/exports',
    callers: ALL,
    weight: 2,
    body: () => ({ dataset: 'cases', format: 'csv', filters: { from: '2024-01-01', releaseLocation: 'capsular' } }),
  },
  {
    method: 'POST',
    path: '/api/v1/imports',
    callers: ALL,
    weight: 3,
    query: (rng) => ({
      dataset: rng.pick(['cases', 'follow-ups', 'complications', 'nothing']),
      mode: rng.pick(['validate', 'validate', 'commit']),
      onError: rng.pick(['reject_all', 'skip_invalid']),
    }),
    text: (rng) => ({
      text: rng.pick([
        'registryCode,visitDate,contactMode\r\nILR-000001,2025-05-01,clinic\r\n',
        'registryCode,visitDate,contactMode\r\nILR-000001,"2025-05-01,clinic\r\n',
        'registryCode,type,onsetDate,sinkGrade\r\nILR-000001,recurrent_snapping,2025-09-01,9\r\n',
        'mrn,side\r\n',
        '\u0000\u0001binary',
        '',
      ]),
      contentType: rng.pick(['text/csv', 'text/csv; charset=utf-8', 'application/csv']),
    }),
  },
  { method: 'GET', path: '/api/v1/imports', callers: ALL, weight: 1, query: () => ({ limit: '5' }) },
  {
    method: 'GET',
    path: '/api/v1/imports/template',
    callers: ALL,
    weight: 1,
    query: (rng) => ({ dataset: rng.pick(['cases', 'follow-ups', 'complications']), file: 'columns' }),
  },
  { method: 'GET', path: '/api/v1/imports/:importId', callers: ALL, weight: 1 },
  {
    method: 'GET',
    path: '/api/v1/imports/:importId/errors',
    callers: ALL,
    weight: 1,
    query: (rng) => ({ format: rng.pick(['json', 'csv']), limit: '5' }),
  },
  { method: 'GET', path: '/api/v1/exports/:exportJobId', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/exports/:exportJobId/file', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/exports', callers: ALL, weight: 1, query: () => ({ limit: '5' }) },
  { method: 'GET', path: '/api/v1/exports/:exportJobId/manifest', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/audit/head', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/reference/questionnaire-schedule', callers: ALL, weight: 1 },
  { method: 'GET', path: '/api/v1/cases/:caseId/invitations', callers: ALL, weight: 1 },
  { method: 'POST', path: '/api/v1/cases/:caseId/invitations/:timepoint/send', callers: ALL, weight: 1 },
  // The patient's routes take no credentials: every caller is as good as anonymous there.
  {
    method: 'POST',
    path: '/api/v1/questionnaire/unsubscribe',
    callers: ALL,
    weight: 1,
    body: () => ({ token: 'x'.repeat(43) }),
  },
  { method: 'GET', path: '/api/v1/questionnaire/:questionnaireToken', callers: ALL, weight: 1 },
  {
    method: 'PUT',
    path: '/api/v1/questionnaire/:questionnaireToken/answers',
    callers: ALL,
    weight: 2,
    body: () => ({ answers: { mhhs: { pain: 'mild', limp: null }, ihot12: ihot12() } }),
  },
  {
    method: 'POST',
    path: '/api/v1/questionnaire/:questionnaireToken/submit',
    callers: ALL,
    weight: 2,
    // Without EQ-5D-5L: refused unless a mutation completes it, so that the link stays open for the run.
    body: () => ({ answers: { mhhs: (followUpBody() as { proms: { mhhs: Json } }).proms.mhhs, ihot12: ihot12() } }),
  },
  { method: 'GET', path: '/health', callers: ['anonymous'], weight: 1 },
  { method: 'GET', path: '/health/ready', callers: ['anonymous'], weight: 1 },
];

// ---- mutations --------------------------------------------------------------------------------------

type JsonPath = Array<string | number>;

// Every path into a JSON value, found without recursion.
function paths(value: Json): Array<{ path: JsonPath; value: Json }> {
  const out: Array<{ path: JsonPath; value: Json }> = [];
  const stack: Array<{ path: JsonPath; value: Json }> = [{ path: [], value }];
  while (stack.length) {
    const item = stack.pop()!;
    out.push(item);
    if (Array.isArray(item.value)) item.value.forEach((v, i) => stack.push({ path: [...item.path, i], value: v }));
    else if (item.value && typeof item.value === 'object')
      for (const [k, v] of Object.entries(item.value)) stack.push({ path: [...item.path, k], value: v });
  }
  return out;
}

function setAt(root: Json, path: JsonPath, replacement: Json | undefined): Json {
  if (!path.length) return replacement ?? null;
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return root;
}

const containers = (value: Json) => paths(value).filter((p) => p.value !== null && typeof p.value === 'object');
const leaves = (value: Json) =>
  paths(value).filter((p) => p.path.length && (p.value === null || typeof p.value !== 'object'));
const strings = (value: Json) => paths(value).filter((p) => typeof p.value === 'string');

function raw(draft: Draft, text: string): string {
  draft.raw.push(text);
  return `\u0007raw:${draft.raw.length - 1}\u0007`;
}

function serialize(draft: Draft): Buffer | undefined {
  if (draft.bodyBytes) return draft.bodyBytes;
  if (draft.bodyText !== undefined) return Buffer.from(draft.bodyText, 'utf8');
  if (draft.body === undefined) return undefined;
  const text = JSON.stringify(draft.body).replace(
    /"\\u0007raw:(\d+)\\u0007"/g,
    (_m, i: string) => draft.raw[Number(i)],
  );
  return Buffer.from(text, 'utf8');
}

function randomWrongValue(d: Draft, rng: Rng, depth = 0): Json {
  const options: Array<() => Json> = [
    () => rng.int(2) === 0,
    () => null,
    () => rng.int(1000) - 500,
    () => raw(d, rng.pick(HUGE_NUMBERS)),
    () => 'x'.repeat(rng.int(40)),
    () => [],
    () => ({}),
    () => (depth < 2 ? [randomWrongValue(d, rng, depth + 1)] : 'deep'),
    () => (depth < 2 ? { a: randomWrongValue(d, rng, depth + 1) } : 'deep'),
    () => rng.pick(HOSTILE_DATES),
    () => '\u0000',
    () => 'na',
  ];
  return rng.pick(options)();
}

function nest(depth: number, asObject: boolean): string {
  return asObject ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

interface Mutator {
  name: string;
  applies: (draft: Draft, route: Route) => boolean;
  // true when the mutation leaves a valid body valid (never used on costly routes)
  keepsBody?: boolean;
  apply: (draft: Draft, rng: Rng, fixtures: Fixtures) => void;
}

const hasBody = (draft: Draft) => draft.body !== undefined && draft.bodyText === undefined && !draft.bodyBytes;
const hasParams = (_draft: Draft, route: Route) => route.path.includes(':');

const MUTATORS: Mutator[] = [
  {
    name: 'wrong type',
    applies: hasBody,
    apply: (d, rng) => {
      const target = rng.pick(paths(d.body!));
      d.body = setAt(d.body!, target.path, randomWrongValue(d, rng));
    },
  },
  {
    name: 'huge number',
    applies: hasBody,
    apply: (d, rng) => {
      const target = rng.pick(leaves(d.body!).length ? leaves(d.body!) : paths(d.body!));
      d.body = setAt(d.body!, target.path, raw(d, rng.pick(HUGE_NUMBERS)));
    },
  },
  {
    name: 'deep nesting',
    applies: hasBody,
    apply: (d, rng) => {
      const target = rng.pick(paths(d.body!));
      d.body = setAt(d.body!, target.path, raw(d, nest(rng.pick([5, 20, 31, 33, 64, 500, 5000]), rng.chance(0.5))));
    },
  },
  {
    name: 'prototype key',
    applies: (d) => hasBody(d) && containers(d.body!).length > 0,
    apply: (d, rng) => {
      const target = rng.pick(containers(d.body!));
      const key = rng.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__']);
      const injected = JSON.parse(`{"${key}": ${rng.pick(['{"admin":true}', 'null', '1', '"x"', '[]'])}}`) as Json;
      // An own property named like the prototype accessors, as JSON.parse makes it (not a prototype change).
      if (Array.isArray(target.value)) target.value.push(injected);
      else
        Object.defineProperty(target.value, key, {
          value: (injected as Record<string, Json>)[key],
          enumerable: true,
          writable: true,
          configurable: true,
        });
    },
  },
  {
    name: 'NUL byte',
    applies: (d) => hasBody(d) && strings(d.body!).length > 0,
    apply: (d, rng) => {
      const target = rng.pick(strings(d.body!));
      d.body = setAt(d.body!, target.path, `${target.value as string}\u0000${rng.pick(['', 'x', '\u0000'])}`);
    },
  },
  {
    name: 'NUL in a key',
    applies: (d) => hasBody(d) && d.body !== null && typeof d.body === 'object' && !Array.isArray(d.body),
    apply: (d) => {
      (d.body as Record<string, Json>)['side\u0000'] = 'right';
    },
  },
  {
    name: 'invalid UTF-8',
    applies: (d) => d.body !== undefined || d.bodyText !== undefined,
    apply: (d, rng) => {
      const bytes = serialize(d)!;
      const at = bytes.indexOf(0x22, rng.int(Math.max(1, bytes.length)));
      const cut = at < 0 ? bytes.length : at + 1;
      const bad = rng.pick([
        [0xff],
        [0xc3, 0x28],
        [0xe2, 0x82],
        [0xf0, 0x28, 0x8c, 0xbc],
        [0xed, 0xa0, 0x80],
        [0xc0, 0xaf],
      ]);
      d.bodyBytes = Buffer.concat([bytes.subarray(0, cut), Buffer.from(bad), bytes.subarray(cut)]);
    },
  },
  {
    name: 'lone surrogate escape',
    applies: (d) => hasBody(d) && strings(d.body!).length > 0,
    apply: (d, rng) => {
      const target = rng.pick(strings(d.body!));
      d.body = setAt(
        d.body!,
        target.path,
        raw(d, `"${rng.pick(['\\ud800', '\\udfff', '\\ud800\\ud800', 'a\\u0000b'])}"`),
      );
    },
  },
  {
    name: 'hostile date',
    applies: hasBody,
    apply: (d, rng) => {
      const dated = strings(d.body!).filter((p) => /^\d{4}-\d{2}-\d{2}$/.test(p.value as string));
      const target = rng.pick(dated.length ? dated : leaves(d.body!).length ? leaves(d.body!) : paths(d.body!));
      d.body = setAt(d.body!, target.path, rng.pick(HOSTILE_DATES));
    },
  },
  {
    name: 'very long string',
    applies: hasBody,
    apply: (d, rng) => {
      const target = rng.pick(strings(d.body!).length ? strings(d.body!) : paths(d.body!));
      const unit = rng.pick(['x', 'é', '𝄞', ' ', '\\', '"']);
      d.body = setAt(d.body!, target.path, unit.repeat(rng.pick([255, 256, 2001, 4001, 20_000, 200_000])));
    },
  },
  {
    name: 'array for object',
    applies: (d) => hasBody(d) && containers(d.body!).length > 0,
    apply: (d, rng) => {
      const target = rng.pick(containers(d.body!));
      const replacement: Json = Array.isArray(target.value)
        ? rng.pick<Json>([{}, { 0: 'a' }, 'a,b', { length: 1 }])
        : rng.pick<Json>([[], [{}], [target.value], [1, 2, 3]]);
      d.body = setAt(d.body!, target.path, replacement);
    },
  },
  {
    name: 'unknown keys',
    applies: (d) => hasBody(d) && containers(d.body!).some((c) => !Array.isArray(c.value)),
    apply: (d, rng) => {
      const objects = containers(d.body!).filter((c) => !Array.isArray(c.value));
      const target = rng.pick(objects).value as Record<string, Json>;
      const count = rng.pick([1, 3, 60, 999, 1001]);
      for (let i = 0; i < count; i++) target[`unknown${i}`] = i;
    },
  },
  {
    name: 'missing key',
    applies: (d) => hasBody(d) && leaves(d.body!).length > 0,
    apply: (d, rng) => {
      d.body = setAt(d.body!, rng.pick(paths(d.body!).filter((p) => p.path.length)).path, undefined);
    },
  },
  {
    name: 'null',
    applies: hasBody,
    apply: (d, rng) => {
      d.body = setAt(d.body!, rng.pick(paths(d.body!)).path, null);
    },
  },
  {
    name: 'malformed JSON',
    applies: (d) => d.body !== undefined,
    apply: (d, rng) => {
      const text = serialize(d)!.toString('utf8');
      d.bodyText = rng.pick([
        text.slice(0, rng.int(text.length)),
        `${text},`,
        text.replace(':', ''),
        `${text}${text}`,
        text.replace(/"/, "'"),
        `\ufeff${text}`,
        `{"a":1,"a":2,${text.slice(1)}`,
      ]);
    },
  },
  {
    name: 'other JSON value',
    applies: () => true,
    apply: (d, rng) => {
      d.bodyText = rng.pick([
        'null',
        '[]',
        '"text"',
        '123',
        'true',
        '{}',
        '',
        ' ',
        '[[[[[[[[]]]]]]]]',
        '[{}]',
        '{"":""}',
      ]);
      if (d.contentType === undefined) d.contentType = 'application/json';
    },
  },
  {
    name: 'content type',
    applies: (d) => d.body !== undefined,
    apply: (d, rng) => {
      d.contentType = rng.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/merge-patch+json',
        'application/json; charset="utf-8"; boundary=x',
        'multipart/form-data; boundary=x',
        null,
      ]);
    },
  },
  // ---- query strings
  {
    name: 'query value',
    applies: (d) => d.query.length > 0,
    keepsBody: true,
    apply: (d, rng) => {
      const i = rng.int(d.query.length);
      d.query[i] = [
        d.query[i][0],
        rng.pick([
          'abc',
          '-1',
          '0',
          '1e309',
          '99999999999999999999',
          '1.5',
          'NaN',
          'Infinity',
          '',
          'true',
          'yes',
          'null',
          '[]',
          '{}',
          ...HOSTILE_DATES,
          'x'.repeat(4000),
          '\u0000',
          'é',
        ]),
      ];
    },
  },
  {
    name: 'query date',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      d.query.push([rng.pick(['from', 'to']), rng.pick(HOSTILE_DATES)]);
    },
  },
  {
    name: 'repeated query parameter',
    applies: (d) => d.query.length > 0,
    keepsBody: true,
    apply: (d, rng) => {
      const [key, value] = rng.pick(d.query);
      d.query.push([key, value], [key, rng.pick(['x', value, ''])]);
    },
  },
  {
    name: 'unknown query parameter',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      d.query.push([rng.pick(['__proto__', 'constructor', 'a[b]', 'x', 'limit[]', 'cursor[0]', '']), 'y']);
    },
  },
  {
    name: 'bad cursor',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      const b64 = (value: string) => Buffer.from(value).toString('base64url');
      d.query.push([
        'cursor',
        rng.pick([
          'abc',
          '!!!',
          '',
          b64('null'),
          b64('[]'),
          b64('"x"'),
          b64('{"surgeryDate":"0000-01-01","registryCode":"ILR-000001"}'),
          b64('{"surgeryDate":"2025-01-01","registryCode":"ILR-1"}'),
          b64('{"surgeryDate":"2025-01-01","registryCode":"ILR-000001","__proto__":{"x":1}}'),
          b64('{"id":"00000000-0000-4000-8000-000000000000","email":"a@b.c"}'),
          b64('{"createdAt":"9999-99-99","id":"x"}'),
          b64('{"surgeryDate":1,"registryCode":2}'),
          b64('{"email":"a\\u0000@test.ilr","id":"00000000-0000-4000-8000-000000000000"}'),
          b64('{"surgeryDate":"2025-01-01","registryCode":"ILR-000001\\u0000"}'),
          b64('{"email":"\\ud800","id":"00000000-0000-4000-8000-000000000000"}'),
          b64('{'.repeat(3000)),
          'A'.repeat(600),
        ]),
      ]);
    },
  },
  {
    name: 'raw query',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      d.rawQuery = rng.pick([
        'from=%00',
        'from=%FF%FE',
        'from=%E0%A4%A',
        'limit=%',
        '%=%',
        'a=1&&&&b=2',
        '=x',
        'limit=10&limit=20&limit=30',
        'mrn=%00%00',
        'format=%C0%AF',
        `q=${'%41'.repeat(2000)}`,
        'impingementRepair=%74rue',
      ]);
    },
  },
  // ---- headers
  {
    name: 'Idempotency-Key',
    applies: (d) => d.method === 'POST',
    keepsBody: true,
    apply: (d, rng) => {
      d.headers['Idempotency-Key'] = rng.pick([
        '',
        ' ',
        'k'.repeat(256),
        'k'.repeat(255),
        'é',
        'a b',
        '"quoted"',
        '../../../etc/passwd',
        'same-key-for-everyone',
        ['one', 'two'],
      ] as Array<string | string[]>);
    },
  },
  {
    name: 'If-Match',
    applies: (d) => d.method !== 'GET',
    keepsBody: true,
    apply: (d, rng) => {
      d.headers['If-Match'] = rng.pick([
        '*',
        '"abc"',
        '"1"',
        '"2"',
        '"99999999999999999999"',
        'W/"1"',
        '"-1"',
        '"1.5"',
        '""',
        '1',
        '"1", "2"',
        ',,,',
        `"${'9'.repeat(500)}"`,
        '',
        ['"1"', '"2"'],
      ] as Array<string | string[]>);
    },
  },
  {
    name: 'Authorization',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      d.headers.Authorization = rng.pick([
        'Bearer',
        'Bearer ',
        'Bearer x.y.z',
        'Basic YWRtaW46YWRtaW4=',
        'Bearer ilr_pat_' + 'A'.repeat(43),
        'Bearer ilr_pat_',
        `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: uuid(rng), role: 'admin' })}.`,
        `Bearer ${part({ alg: 'HS256' })}.${part({ sub: 'x', role: 'admin', exp: 1e12 })}.c2lnbmF0dXJl`,
        `Bearer ${'A'.repeat(8000)}`,
        'bearer   ',
        `Bearer a b c`,
      ]);
    },
  },
  {
    name: 'Accept',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      d.headers.Accept = rng.pick(['text/csv', '*/*', 'application/xml', ';;;', 'text/html', 'text/csv;q=0', '']);
    },
  },
  {
    name: 'X-Request-Id',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      d.headers['X-Request-Id'] = rng.pick(['x', 'a'.repeat(65), 'bad id', 'ok-request-0001', '../..', 'é'.repeat(10)]);
    },
  },
  // ---- paths
  {
    name: 'bad id',
    applies: hasParams,
    keepsBody: true,
    apply: (d, rng) => {
      const segments = d.path.split('/');
      const ids = segments.map((s, i) => (/^[0-9a-f-]{36}$/.test(s) ? i : -1)).filter((i) => i >= 0);
      if (!ids.length) return;
      segments[rng.pick(ids)] = rng.pick([...BAD_IDS, uuid(rng), uuid(rng).toUpperCase()]);
      d.path = segments.join('/');
    },
  },
  {
    name: 'another record id',
    applies: hasParams,
    keepsBody: true,
    apply: (d, rng, f) => {
      // never the surgeon's or the admin's own id: a PATCH /users could demote or deactivate the callers
      const segments = d.path.split('/');
      const ids = segments.map((s, i) => (/^[0-9a-f-]{36}$/.test(s) ? i : -1)).filter((i) => i >= 0);
      if (!ids.length) return;
      segments[rng.pick(ids)] = rng.pick(Object.values(f));
      d.path = segments.join('/');
    },
  },
  {
    name: 'path shape',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      d.path = rng.pick([
        `${d.path}/`,
        `${d.path}//`,
        d.path.replace('/api/v1/', '/api/v1//'),
        d.path.toUpperCase(),
        `${d.path}/nothing`,
        `${d.path}.json`,
        `${d.path}%00`,
        `${d.path}/..`,
        d.path.replace('/v1/', '/v2/'),
        `${d.path};x=1`,
      ]);
    },
  },
  {
    name: 'method',
    applies: () => true,
    keepsBody: true,
    apply: (d, rng) => {
      d.method = rng.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'POST', 'GET']);
    },
  },
];

function draftFor(route: Route, rng: Rng, f: Fixtures): Draft {
  const path = route.path.replace(/:(\w+)/g, (_m, name: string) => f[name as keyof Fixtures]);
  const body = route.body?.(rng);
  const text = route.text?.(rng);
  return {
    method: route.method,
    path,
    query: Object.entries(route.query?.(rng) ?? {}),
    headers: { ...(route.headers?.(rng) ?? {}) },
    body,
    ...(text ? { bodyText: text.text } : {}),
    contentType: text ? text.contentType : body === undefined ? undefined : 'application/json',
    raw: [],
    mutations: [],
  };
}

interface Prepared {
  index: number;
  route: Route;
  caller: Caller;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  mutations: string[];
}

function generate(total: number, seed: number, fixtures: Fixtures): Prepared[] {
  const rng = prng(seed);
  const weights = ROUTES.reduce((sum, r) => sum + r.weight, 0);
  const prepared: Prepared[] = [];
  for (let index = 0; index < total; index++) {
    let roll = rng.next() * weights;
    const route = ROUTES.find((r) => (roll -= r.weight) < 0) ?? ROUTES[0];
    const caller = rng.pick(route.callers);
    const draft = draftFor(route, rng, fixtures);
    // One in twenty stays as it is: the valid request itself.
    const count = rng.chance(0.05) ? 0 : rng.chance(0.7) ? 1 : 2;
    for (let m = 0; m < count; m++) {
      const candidates = MUTATORS.filter(
        (mutator) => mutator.applies(draft, route) && !(route.costly && mutator.keepsBody),
      );
      if (!candidates.length) break;
      const mutator = rng.pick(candidates);
      mutator.apply(draft, rng, fixtures);
      draft.mutations.push(mutator.name);
    }
    // A costly route whose body may still be valid would hash a password: an unknown key makes sure
    // it is refused before the service.
    if (route.costly && hasBody(draft) && draft.body && typeof draft.body === 'object' && !Array.isArray(draft.body)) {
      draft.body.unknownKey = 1;
      draft.mutations.push('unknown key (costly route)');
    }
    const query =
      draft.rawQuery ?? draft.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const headers: Record<string, string | string[]> = { ...draft.headers };
    const body = serialize(draft);
    if (body !== undefined && draft.contentType !== null)
      headers['Content-Type'] = draft.contentType ?? 'application/json';
    prepared.push({
      index,
      route,
      caller,
      method: draft.method,
      // node:http refuses characters outside 0x21–0xff in a path; percent-encode what is left.
      path: `${draft.path}${query ? `?${query}` : ''}`.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)),
      headers,
      body,
      mutations: draft.mutations,
    });
  }
  return prepared;
}

interface Outcome {
  request: Prepared;
  status: number;
  correlationId?: string;
  error?: string;
}

function send(agent: Agent, port: number, request: Prepared, token: string | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = { ...request.headers };
    if (token && headers.Authorization === undefined) headers.Authorization = `Bearer ${token}`;
    if (request.body) headers['Content-Length'] = String(request.body.length);
    const req = httpRequest(
      { host: '127.0.0.1', port, method: request.method, path: request.path, headers, agent, timeout: 30_000 },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            request,
            status: response.statusCode ?? 0,
            correlationId: response.headers['x-correlation-id'] as string | undefined,
          }),
        );
        response.on('error', (error) => resolve({ request, status: 0, error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ request, status: 0, error: error.message }));
    req.end(request.body);
  });
}

// The built server (`npm test` builds first) in a child process, as `npm start` runs it: plain Node
// rather than Jest's module runtime, and a core of its own beside the client.
const MAIN = join(process.cwd(), 'dist/apps/api/src/main.js');

interface Served {
  base: string;
  port: number;
  dataDir: string;
  // the server's log lines (errors only): they explain a 5xx
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function serve(db: TestDatabase): Promise<Served> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ilr-hostile-'));
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...env,
      NODE_ENV: 'test',
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
      MRN_ENCRYPTION_KEY: '11'.repeat(32),
      MRN_HASH_KEY: '22'.repeat(32),
      EXPORT_PSEUDONYM_KEY: '33'.repeat(32),
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      // The run is about input, not about limits: lift the rate limits and the sign-in throttle.
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      LOGIN_MAX_FAILURES_PER_EMAIL: '1000',
      LOGIN_MAX_FAILURES_PER_IP: '10000',
      // Export jobs stay queued: a running worker would compete with the run for the CPU.
      EXPORT_WORKER: 'off',
      // No scheduled invitations (the fixture sends one); guessed links are not throttled either.
      QUESTIONNAIRE_SCHEDULER: 'off',
      QUESTIONNAIRE_REQUESTS_PER_IP_PER_MINUTE: '100000',
      QUESTIONNAIRE_INVALID_LINKS_PER_IP: '10000',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let pending = '';
  let text = '';
  const collect = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${text.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error('the server was not ready in time');
    const ready = await fetch(`${base}/health/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    port,
    dataDir,
    logs,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('hostile input (e2e)', () => {
  let db: TestDatabase;
  let server: Served;
  let admin: string;
  let surgeon: string;
  let fixtures: Fixtures;
  const http = () => request(server.base);
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const login = async (email: string, password: string) =>
    (await http().post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken as string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await serve(db);
    admin = await login(TEST_ADMIN.email, TEST_ADMIN.password);
    const user = async (role: string) => {
      const password = 'a-long-password-for-tests';
      const email = `hostile.${role}@test.ilr`;
      const created = await http()
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email, displayName: `Dr ${role}`, role, password })
        .expect(201);
      return { id: created.body.id as string, token: await login(email, password) };
    };
    surgeon = (await user('surgeon')).token;
    const victim = await user('registry_staff');
    const created = await http().post('/api/v1/cases').set(as(surgeon)).send(newCaseBody()).expect(201);
    const visit = await http()
      .post(`/api/v1/cases/${created.body.id}/follow-ups`)
      .set(as(surgeon))
      .send(followUpBody() as object)
      .expect(201);
    const complication = await http()
      .post(`/api/v1/cases/${created.body.id}/complications`)
      .set(as(surgeon))
      .send(complicationBody() as object)
      .expect(201);
    const patient = await http()
      .post('/api/v1/patients')
      .set(as(admin))
      .send({ mrn: 'HOSTILE-PATIENT-1', birthDate: '1980-01-01', sex: 'male' })
      .expect(201);
    const job = await http()
      .post('/api/v1/exports')
      .set(as(admin))
      .send({ dataset: 'cases', format: 'csv' })
      .expect(202);
    const imported = await http()
      .post('/api/v1/imports?dataset=follow-ups&mode=validate')
      .set(as(admin))
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(`registryCode,visitDate,contactMode\r\n${created.body.registryCode},2025-05-01,clinic\r\n`))
      .expect(202);
    const token = await http()
      .post('/api/v1/auth/tokens')
      .set(as(surgeon))
      .send({ name: 'fixture', expiresInDays: 5 })
      .expect(201);
    // A case whose 6w window is open today, invited at once: its mail (in DATA_DIR/mail) holds the link.
    const sixWeeksAgo = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    const invited = await http()
      .post('/api/v1/cases')
      .set(as(surgeon))
      .send(
        newCaseBody({
          surgeryDate: sixWeeksAgo,
          patient: { mrn: 'HOSTILE-PATIENT-2', birthDate: '1980-01-01', sex: 'male', email: 'hostile@example.org' },
        }),
      )
      .expect(201);
    await http().post(`/api/v1/cases/${invited.body.id}/invitations/6w/send`).set(as(admin)).expect(200);
    const mailDir = join(server.dataDir, 'mail');
    const message = readFileSync(join(mailDir, readdirSync(mailDir)[0]), 'utf8').replace(/=\r?\n/g, '');
    const questionnaireToken = /\/questionnaire\/([A-Za-z0-9_-]{43})/.exec(message)![1];
    fixtures = {
      questionnaireToken,
      timepoint: '6w',
      caseId: created.body.id,
      patientId: patient.body.id,
      followUpId: visit.body.id,
      complicationId: complication.body.id,
      exportJobId: job.body.id,
      importId: imported.body.id,
      tokenId: token.body.id,
      victimId: victim.id,
      codeSystemId: 'complication-type',
      questionnaireId: 'mhhs',
    };
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('covers every route in the OpenAPI document', async () => {
    const doc = await http().get('/api/docs-json').expect(200);
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const covered = new Set(ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    const normalise = (route: string) => route.replace(/\{\w+\}/g, '{}');
    const coveredShapes = new Set([...covered].map(normalise));
    expect(documented.filter((route) => !coveredShapes.has(normalise(route)))).toEqual([]);
  });

  it(`answers ${TOTAL} mutated requests without a 5xx`, async () => {
    const requests = generate(TOTAL, SEED, fixtures);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const tokens: Record<Caller, string | undefined> = { admin, surgeon, anonymous: undefined };
    const outcomes: Outcome[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++];
          outcomes.push(await send(agent, server.port, request, tokens[request.caller]));
        }
      }),
    );
    agent.destroy();
    const seconds = (performance.now() - started) / 1000;

    const counts = new Map<string, number>();
    for (const outcome of outcomes) {
      const key = outcome.error ? 'transport error' : String(outcome.status);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const failed = outcomes.filter((o) => o.error || o.status >= 500);
    const summary = [
      `hostile input: ${outcomes.length} requests (seed ${SEED}) in ${seconds.toFixed(1)} s, ${Math.round(outcomes.length / seconds)}/s`,
      `status counts: ${[...counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
    ];
    // The first offending requests, without identifiers: route, caller, mutations, and the logged error.
    for (const outcome of failed.slice(0, 8)) {
      const logged = server.logs.find((l) => l.correlationId && l.correlationId === outcome.correlationId);
      const err = (logged?.err ?? {}) as { type?: string; message?: string; stack?: string; code?: string };
      // Stack frames only (the first line is the message): where it failed, never what was sent.
      const where = (err.stack ?? '')
        .split('\n')
        .slice(1, 4)
        .map((line) =>
          line
            .trim()
            .replace(/^at /, '')
            .replace(/\(?\/.*\/(node_modules|dist)\//, '$1/'),
        );
      summary.push(
        `  #${outcome.request.index} ${outcome.request.route.method} ${outcome.request.route.path} as ${outcome.request.caller}` +
          ` sent as ${outcome.request.method} [${outcome.request.mutations.join(', ') || 'unmutated'}]` +
          ` → ${outcome.error ?? outcome.status} ${err.type ?? ''} ${err.code ?? ''} ${where.join(' < ')}`,
      );
    }
    console.log(summary.join('\n'));
    expect(outcomes).toHaveLength(TOTAL);
    expect(failed.length).toBe(0);
  }, 600_000);

  it('still serves a valid request after the run', async () => {
    await http().get('/health/ready').expect(200);
    const token = await login(TEST_ADMIN.email, TEST_ADMIN.password);
    await http().get('/api/v1/auth/me').set(as(token)).expect(200);
  });
});
