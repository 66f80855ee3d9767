import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../access/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/errors.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  // Liveness: the process answers. No database call, so a slow database does not get us restarted.
  @Public()
  @Get()
  @ApiOkResponse({ description: 'The process is alive' })
  live() {
    return { status: 'ok' };
  }

  // Readiness: the database answers and every migration this build knows has been applied.
  @Public()
  @Get('ready')
  @ApiOkResponse({ description: 'Database reachable, migrations applied' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; the problem says which check failed' })
  async ready() {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new DomainError(ErrorCode.NotReady, 'The database is not reachable.', {
        extensions: { checks: { database: 'down' } },
      });
    }
    const pending = await this.dataSource.showMigrations();
    if (pending) {
      throw new DomainError(ErrorCode.NotReady, 'Database migrations are pending.', {
        extensions: { checks: { database: 'up', migrations: 'pending' } },
      });
    }
    return { status: 'ok', checks: { database: 'up', migrations: 'applied' } };
  }
}
