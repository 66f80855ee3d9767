import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ThrottleHit {
  // Hits in the current window, this one included.
  count: number;
  // Milliseconds until the window ends and the count starts again from zero.
  msToReset: number;
}

// Fixed-window counters in PostgreSQL. Each hit is one atomic upsert, so concurrent requests (from
// any number of processes) get distinct, consecutive counts: a burst cannot slip past a limit.
@Injectable()
export class ThrottleRepository {
  constructor(private readonly dataSource: DataSource) {}

  async hit(key: string, windowMs: number): Promise<ThrottleHit> {
    const rows: Array<{ hits: number; ms_to_reset: string }> = await this.dataSource.query(
      `INSERT INTO throttle_counters AS c (key, hits, expires_at)
       VALUES ($1, 1, clock_timestamp() + $2::int * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN c.expires_at <= clock_timestamp() THEN 1 ELSE c.hits + 1 END,
         expires_at = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE c.expires_at END
       RETURNING hits, ceil(greatest(0, extract(epoch FROM c.expires_at - clock_timestamp()) * 1000))::bigint AS ms_to_reset`,
      [key, Math.max(1, Math.round(windowMs))],
    );
    return { count: rows[0].hits, msToReset: Number(rows[0].ms_to_reset) };
  }

  // Takes one hit back (a login that turned out to be right), never below zero, and only while the
  // window that counted it may still be running.
  async release(key: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE throttle_counters SET hits = hits - 1 WHERE key = $1 AND hits > 0 AND expires_at > clock_timestamp()`,
      [key],
    );
  }

  // Deletes windows that ended; returns how many.
  async pruneExpired(limit = 10_000): Promise<number> {
    // TypeORM answers a DELETE with [rows, rowCount].
    const [, count]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM throttle_counters WHERE key IN (
         SELECT key FROM throttle_counters WHERE expires_at <= clock_timestamp() LIMIT $1 FOR UPDATE SKIP LOCKED
       )`,
      [limit],
    );
    return count;
  }
}
