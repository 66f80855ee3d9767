import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { InvitationsService, type ScheduleRun } from './invitations.service.js';

// Runs the questionnaire schedule every QUESTIONNAIRE_SCHEDULER_INTERVAL_MS (and once at start). Every
// API process may run one: what is due is decided from the database and each invitation is claimed with
// FOR UPDATE SKIP LOCKED, so processes share the work and none holds the schedule in memory.
@Injectable()
export class QuestionnaireScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ScheduleRun | undefined>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly invitations: InvitationsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.questionnaires.scheduler) this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule(this.config.questionnaires.intervalMs);
      });
    }, delay);
    this.timer.unref();
  }

  // One run; a failure is logged and the next run tries again.
  async tick(): Promise<ScheduleRun | undefined> {
    try {
      const run = await this.invitations.runSchedule();
      if (run.created + run.ended + run.mailed + run.bounced > 0 || run.mailUnavailable) {
        this.logger.info({ questionnaires: run }, 'questionnaire schedule ran');
      }
      return run;
    } catch (error) {
      this.logger.error({ err: error }, 'questionnaire schedule failed');
      return undefined;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
