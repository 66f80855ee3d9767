import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import type { PoolClient, Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { type DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { type Instrument, scoreProms } from '@ilr/clinical';
import {
  CaseEntity,
  ComplicationEntity,
  createDataSource,
  FollowUpEntity,
  migrate,
  PatientEntity,
  refreshFactsSql,
  startEmbeddedPostgres,
  UserRepository,
} from '@ilr/persistence';
import { type AppConfig, createLogger, hashPassword, loadConfig, MrnCipher, UsersService } from '@ilr/registry';
import { caseColumnsFromData } from '../libs/registry/src/cases/case.mapper.js';
import { complicationColumns } from '../libs/registry/src/complications/complication.mapper.js';
import { CohortGenerator, type SyntheticCase } from './cohort.js';

export interface SeedOptions {
  cases: number;
  seed: number;
  surgeons: number;
  until: string;
  chunk?: number;
  log?: (line: string) => void;
}

export interface SeedResult {
  cases: number;
  patients: number;
  visits: number;
  proms: number;
  complications: number;
  surgeonIds: string[];
  seconds: number;
}

type Row = Record<string, unknown>;

// The database column of each entity property, from TypeORM's metadata: the bulk path writes the
// same columns the repositories do.
function columnMap(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): Map<string, string> {
  return new Map(dataSource.getMetadata(entity).columns.map((c) => [c.propertyName, c.databaseName]));
}

function pgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
}

function copyValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return pgArray(value as string[]);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

async function copyRows(client: PoolClient, table: string, columns: string[], rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
  // PostgreSQL's CSV: an empty unquoted field is NULL; quote fields with a quote, comma or newline.
  const field = (value: unknown) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\r\n]/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = rows.map((row) => `${columns.map((c) => field(copyValue(row[c]))).join(',')}\n`);
  await pipeline(Readable.from(lines), client.query(copyFrom(sql)));
}

function toColumns(map: Map<string, string>, values: Row): Row {
  const out: Row = {};
  for (const [property, value] of Object.entries(values)) {
    const column = map.get(property);
    if (!column) throw new Error(`no column for ${property}`);
    out[column] = value;
  }
  return out;
}

// Fills the database with a synthetic cohort by COPY, in one transaction per chunk. The rows are
// those the API would write for the same input: the same mappers, scoring, timepoints and MRN
// encryption. One audit event records the seeding itself.
export async function seedCohort(dataSource: DataSource, config: AppConfig, options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const cipher = new MrnCipher(config);
  const users = new UserRepository(dataSource);
  // The first-start admin rule runs first, so a seeded database still gets its administrator.
  await new UsersService(config, createLogger('info'), users).onApplicationBootstrap();
  const surgeonHash = await hashPassword('seed-surgeon-password');
  const surgeonIds: string[] = [];
  for (let i = 0; i < options.surgeons; i++) {
    const email = `surgeon${i + 1}.seed${options.seed}@ilr.local`;
    const existing = await users.findByEmail(email);
    surgeonIds.push(
      existing?.id ??
        (await users.insert({
          email,
          displayName: `Seed surgeon ${i + 1}`,
          role: 'surgeon',
          passwordHash: surgeonHash,
        }))!.id,
    );
  }
  const maps = {
    patient: columnMap(dataSource, PatientEntity),
    case: columnMap(dataSource, CaseEntity),
    visit: columnMap(dataSource, FollowUpEntity),
    complication: columnMap(dataSource, ComplicationEntity),
  };
  const generator = new CohortGenerator({ seed: options.seed, surgeons: options.surgeons, until: options.until });
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const chunk = options.chunk ?? 5000;
  const totals = { cases: 0, patients: 0, visits: 0, proms: 0, complications: 0 };
  const client = await pool.connect();
  try {
    const [{ first }] = (await client.query(`SELECT nextval('case_registry_code_seq')::bigint AS first`)).rows;
    await client.query(`SELECT setval('case_registry_code_seq', $1)`, [Number(first) + options.cases - 1]);
    for (let done = 0; done < options.cases; done += chunk) {
      const batch: SyntheticCase[] = [];
      for (let i = done; i < Math.min(options.cases, done + chunk); i++) batch.push(generator.next());
      const patients: Row[] = [];
      const cases: Row[] = [];
      const visits: Row[] = [];
      const proms: Row[] = [];
      const complications: Row[] = [];
      batch.forEach((c, index) => {
        const surgeonId = surgeonIds[c.surgeonIndex];
        const created = new Date(`${c.data.surgeryDate}T18:00:00Z`);
        created.setUTCDate(created.getUTCDate() + c.createdDay);
        if (c.newPatient) {
          patients.push(
            toColumns(maps.patient, {
              id: c.patient.id,
              mrnCiphertext: cipher.encrypt(c.patient.mrn),
              mrnHash: cipher.hash(c.patient.mrn),
              birthDate: c.patient.birthDate,
              sex: c.patient.sex,
              consent: c.patient.consent,
              deceasedDate: c.patient.deceasedDate,
              version: 1,
              createdAt: created,
              updatedAt: created,
            }),
          );
        }
        const signedAt = c.signed ? new Date(created.getTime() + 2 * 86_400_000) : null;
        cases.push(
          toColumns(maps.case, {
            ...caseColumnsFromData(c.data),
            id: c.id,
            registryCode: `ILR-${String(Number(first) + done + index).padStart(6, '0')}`,
            patientId: c.patient.id,
            surgeonId,
            status: c.signed ? 'signed' : 'draft',
            signedAt,
            signedBy: c.signed ? surgeonId : null,
            deletedAt: null,
            deletedBy: null,
            deleteReason: null,
            version: c.signed ? 2 : 1,
            createdBy: surgeonId,
            createdAt: created,
            updatedAt: signedAt ?? created,
          }),
        );
        for (const v of c.visits) {
          const at = new Date(`${v.visitDate}T16:00:00Z`);
          visits.push(
            toColumns(maps.visit, {
              id: v.id,
              caseId: c.id,
              visitDate: v.visitDate,
              day: v.day,
              timepoint: v.timepoint,
              contactMode: v.contactMode,
              snapping: v.snapping,
              groinPain: v.groinPain,
              hipFlexionStrength: v.hipFlexionStrength,
              returnedToSport: v.returnedToSport,
              satisfaction: v.satisfaction,
              deletedAt: null,
              deletedBy: null,
              deleteReason: null,
              version: 1,
              createdBy: surgeonId,
              createdAt: at,
              updatedAt: at,
            }),
          );
          const scores = scoreProms(v.proms);
          for (const [instrument, score] of Object.entries(scores) as Array<
            [Instrument, NonNullable<(typeof scores)[Instrument]>]
          >) {
            proms.push({
              follow_up_id: v.id,
              instrument,
              items: JSON.stringify(v.proms[instrument]),
              score: score.score,
              raw: score.raw,
              answered: score.answered,
              unscored_reason: score.unscoredReason ?? null,
              scoring_version: score.scoringVersion,
            });
          }
        }
        for (const k of c.complications) {
          const at = new Date(`${k.onsetDate}T16:00:00Z`);
          complications.push(
            toColumns(maps.complication, {
              ...complicationColumns(k),
              id: k.id,
              caseId: c.id,
              deletedAt: null,
              deletedBy: null,
              deleteReason: null,
              version: 1,
              createdBy: surgeonId,
              createdAt: at,
              updatedAt: at,
            }),
          );
        }
      });
      await client.query('BEGIN');
      await copyRows(client, 'patients', Object.keys(patients[0] ?? {}), patients);
      await copyRows(client, 'cases', Object.keys(cases[0]), cases);
      await copyRows(client, 'follow_ups', Object.keys(visits[0] ?? {}), visits);
      await copyRows(client, 'prom_responses', Object.keys(proms[0] ?? {}), proms);
      await copyRows(client, 'complications', Object.keys(complications[0] ?? {}), complications);
      // The same statement the API runs after each write derives the chunk's case facts.
      await client.query(refreshFactsSql(), [batch.map((c) => c.id)]);
      await client.query('COMMIT');
      totals.cases += cases.length;
      totals.patients += patients.length;
      totals.visits += visits.length;
      totals.proms += proms.length;
      totals.complications += complications.length;
      const seconds = (Date.now() - started) / 1000;
      log(
        `seeded ${totals.cases}/${options.cases} cases, ${totals.visits} visits, ${totals.complications} complications (${Math.round(totals.cases / seconds)} cases/s)`,
      );
    }
    await client.query(
      `INSERT INTO audit_events (at, actor_id, action, entity_type, entity_id, case_id, changes, details, reason, correlation_id, prev_hash, hash)
       VALUES (now(), NULL, 'seed', 'cohort', NULL, NULL, '[]'::jsonb, $1::jsonb, 'synthetic cohort for testing and benchmarks', NULL, '', '')`,
      [JSON.stringify({ ...totals, seed: options.seed, surgeons: options.surgeons, until: options.until })],
    );
    await client.query('ANALYZE');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return { ...totals, surgeonIds, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      surgeons: { type: 'string', default: '12' },
      until: { type: 'string', default: '2026-06-30' },
    },
  });
  const options = {
    cases: Number(values.cases),
    seed: Number(values.seed),
    surgeons: Number(values.surgeons),
    until: values.until!,
  };
  if (
    !Number.isInteger(options.cases) ||
    options.cases < 1 ||
    !Number.isInteger(options.seed) ||
    !Number.isInteger(options.surgeons) ||
    options.surgeons < 1
  ) {
    process.stderr.write('usage: npm run seed -- --cases N [--seed S] [--surgeons K] [--until YYYY-MM-DD]\n');
    process.exit(2);
  }
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), database: 'ilr' });
  const url = config.databaseUrl ?? embedded!.url;
  try {
    await migrate(url);
    const dataSource = await createDataSource({ url, poolSize: 2 }).initialize();
    try {
      const result = await seedCohort(dataSource, config, {
        ...options,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(
        `done in ${result.seconds.toFixed(1)} s: ${result.cases} cases, ${result.patients} patients, ${result.visits} visits, ${result.proms} PROM responses, ${result.complications} complications; ${result.surgeonIds.length} surgeons (password seed-surgeon-password)\n`,
      );
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await embedded?.stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
