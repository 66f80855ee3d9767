import { Inject, Injectable } from '@nestjs/common';
import { todayIn } from '@ilr/clinical';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

// Where the service reads the time: the system clock in production; tests give the app their own
// (ManualClock) and move it forward, so that windows open and reminders fall due without waiting.
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const SYSTEM_CLOCK: Clock = { now: () => new Date() };

// A clock that stands still until moved (tests).
export class ManualClock implements Clock {
  private at: Date;
  constructor(start: Date = new Date()) {
    this.at = new Date(start);
  }
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date): void {
    this.at = new Date(at);
  }
  advanceDays(days: number): void {
    this.at = new Date(this.at.getTime() + days * 86_400_000);
  }
}

// "Today" in the registry's clinical time zone (REGISTRY_TIME_ZONE): the one source for the
// not-in-the-future rules, window closure, report dates and the questionnaire schedule.
@Injectable()
export class RegistryClock {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  today(): string {
    return todayIn(this.config.timeZone, this.clock.now());
  }

  now(): Date {
    return this.clock.now();
  }
}
