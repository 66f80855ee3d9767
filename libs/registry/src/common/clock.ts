import { Inject, Injectable } from '@nestjs/common';
import { todayIn } from '@ilr/clinical';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

// "Today" in the registry's clinical time zone (REGISTRY_TIME_ZONE): the one source for the
// not-in-the-future rules, window closure and report dates.
@Injectable()
export class RegistryClock {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  today(): string {
    return todayIn(this.config.timeZone);
  }
}
