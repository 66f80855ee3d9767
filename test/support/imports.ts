import type { TestApp } from './app.js';
import { waitFor } from './wait.js';

export interface ImportOptions {
  mode?: 'validate' | 'commit';
  onError?: 'reject_all' | 'skip_invalid';
  surgeonId?: string;
}

// Uploads a CSV file as text/csv and answers the POST's response (202 or a problem).
export function postImport(
  t: TestApp,
  token: string,
  dataset: string,
  csv: string | Buffer,
  options: ImportOptions = {},
) {
  const query = new URLSearchParams({ dataset, ...options } as Record<string, string>);
  return t
    .http()
    .post(`/api/v1/imports?${query}`)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'text/csv')
    .send(typeof csv === 'string' ? Buffer.from(csv, 'utf8') : csv);
}

// Uploads and waits for the import to finish: its final state.
export async function runImport(
  t: TestApp,
  token: string,
  dataset: string,
  csv: string | Buffer,
  options: ImportOptions = {},
): Promise<Record<string, any>> {
  const posted = await postImport(t, token, dataset, csv, options);
  if (posted.status !== 202) throw new Error(`POST /imports: ${posted.status} ${JSON.stringify(posted.body)}`);
  return waitFor(
    async () => (await t.http().get(`/api/v1/imports/${posted.body.id}`).set('Authorization', `Bearer ${token}`)).body,
    (body) => body.status !== 'running',
    60_000,
  );
}

export async function importErrors(t: TestApp, token: string, id: string): Promise<Array<Record<string, any>>> {
  const response = await t
    .http()
    .get(`/api/v1/imports/${id}/errors?limit=1000`)
    .set('Authorization', `Bearer ${token}`)
    .expect(200);
  return response.body.items;
}

// An identified export (admin) as text.
export async function identifiedExport(t: TestApp, adminToken: string, dataset: string): Promise<string> {
  const response = await t
    .http()
    .get(`/api/v1/exports/${dataset}?identified=true&format=csv`)
    .set('Authorization', `Bearer ${adminToken}`)
    .buffer(true)
    .parse((res, cb) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => cb(null, text));
    })
    .expect(200);
  return response.body as string;
}
