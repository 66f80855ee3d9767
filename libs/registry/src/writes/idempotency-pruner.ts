import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IdempotencyRepository } from '@ilr/persistence';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LOGGER } from '../common/logger.js';

// Forgets Idempotency-Keys older than IDEMPOTENCY_RETENTION_HOURS: at start-up, then every quarter
// of the retention period (at most hourly). Every process runs it; the DELETE is safe to race, and
// the schedule needs no shared state because a missed or doubled run changes nothing.
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly keys: IdempotencyRepository,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.min(3600, (this.config.idempotencyRetentionHours * 3600) / 4) * 1000;
    void this.prune();
    this.timer = setInterval(() => void this.prune(), every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async prune(): Promise<number> {
    try {
      const removed = await this.keys.prune(this.config.idempotencyRetentionHours);
      if (removed > 0) this.logger.info({ removed }, 'idempotency keys past retention removed');
      return removed;
    } catch (error) {
      // During shutdown the pool may already be closed; a later run (here or in another process) catches up.
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'idempotency key pruning failed',
      );
      return 0;
    }
  }
}
