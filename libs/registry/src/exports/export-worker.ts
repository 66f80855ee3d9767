import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ExportRepository, type JobLease } from '@ilr/persistence';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LOGGER } from '../common/logger.js';
import { ExportsService, LeaseLostError, MAX_JOB_ATTEMPTS } from './exports.service.js';

// Runs export jobs one at a time, polling the export_jobs table; any number of these workers, in
// one process or in several on the same database, share the queue. Each job is leased: the worker
// that claimed it renews the lease every heartbeat, and another worker takes a running job over
// only once its lease has expired (its process stopped or stalled). A job interrupted
// MAX_JOB_ATTEMPTS times is failed; an attempt that finds it lost its lease stops and writes nothing.
//
// Why a lease on our own table rather than pg-boss or graphile-worker: the job row is what the API
// serves (status, progress, rows, checksum, file name) and what the audit trail refers to; a queue
// library would keep a second copy of each job's state in a schema it installs and migrates itself,
// outside our migrations and the owner/service role split. Neither would remove the part that is
// ours anyway (fencing the file and the result by attempt). The lease is three columns and a few
// guarded UPDATEs.
@Injectable()
export class ExportWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  // Names this worker in claimed_by: the host and process, and a random part that tells apart two
  // workers in one process.
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly exports: ExportRepository,
    private readonly service: ExportsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.exports.worker) return;
    await this.failExhausted();
    this.schedule(0);
  }

  private async failExhausted(): Promise<void> {
    const failed = await this.exports.failExhausted(MAX_JOB_ATTEMPTS);
    if (failed) this.logger.warn({ failed }, 'export jobs failed: interrupted too many times');
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule(this.config.exports.pollMs);
      });
    }, delay);
    this.timer.unref();
  }

  // Drains the queue, then waits for the next poll.
  private async tick(): Promise<void> {
    while (!this.stopped) {
      let lease: JobLease | null;
      try {
        await this.failExhausted();
        lease = await this.exports.claimNext(this.id, this.config.exports.leaseMs, MAX_JOB_ATTEMPTS);
      } catch (error) {
        this.logger.error({ err: error }, 'export queue poll failed');
        return;
      }
      if (!lease) return;
      await this.run(lease);
    }
  }

  private async run(lease: JobLease): Promise<void> {
    const log = { jobId: lease.jobId, attempt: lease.attempt, worker: this.id };
    const lost = new AbortController();
    let renewing = false;
    const heartbeat = setInterval(() => {
      if (renewing || lost.signal.aborted) return;
      renewing = true;
      this.exports
        .renewLease(lease, this.config.exports.leaseMs)
        .then(
          (held) => {
            if (!held) lost.abort(new LeaseLostError(lease));
          },
          // A failed renewal is retried at the next beat; a lease that runs out meanwhile is lost then.
          (error: unknown) => this.logger.warn({ ...log, err: error }, 'export job lease renewal failed'),
        )
        .finally(() => {
          renewing = false;
        });
    }, this.config.exports.heartbeatMs);
    heartbeat.unref();
    try {
      const job = await this.exports.findJob(lease.jobId);
      if (!job) return;
      const outcome = await this.service.runJob(job, lease, lost.signal);
      if (outcome === 'done') this.logger.info({ ...log, dataset: job.dataset }, 'export job done');
      else this.logger.warn(log, 'export job refused: its requester may no longer have it');
    } catch (error) {
      if (error instanceof LeaseLostError || lost.signal.aborted) {
        this.logger.warn(log, 'export job lease lost: this attempt stopped and wrote no result');
        return;
      }
      this.logger.error({ ...log, err: error }, 'export job failed');
      await this.exports
        .finish(lease, { status: 'failed', error: 'The export failed; the log has the details under this job id.' })
        .catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
