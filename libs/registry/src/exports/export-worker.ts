import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ExportRepository } from '@ilr/persistence';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LOGGER } from '../common/logger.js';
import { ExportsService, MAX_JOB_ATTEMPTS } from './exports.service.js';

// Runs queued export jobs one at a time, polling the export_jobs table. At start-up, jobs a stopped
// process left running are queued again (or failed after MAX_JOB_ATTEMPTS), so none stays running.
@Injectable()
export class ExportWorker implements OnApplicationBootstrap, OnApplicationShutdown {
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
    const recovered = await this.exports.recoverInterrupted(MAX_JOB_ATTEMPTS);
    if (recovered.requeued || recovered.failed) this.logger.warn(recovered, 'export jobs interrupted by a restart');
    this.schedule(0);
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
      const job = await this.exports.claimNext().catch((error: unknown) => {
        this.logger.error({ err: error }, 'export queue poll failed');
        return null;
      });
      if (!job) return;
      try {
        await this.service.runJob(job);
        this.logger.info({ jobId: job.id, dataset: job.dataset }, 'export job done');
      } catch (error) {
        this.logger.error({ err: error, jobId: job.id }, 'export job failed');
        await this.exports
          .finish(job.id, { status: 'failed', error: 'The export failed; the log has the details under this job id.' })
          .catch(() => undefined);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
