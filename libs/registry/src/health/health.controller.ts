import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from '../access/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/errors.js';

// A check that takes longer than this counts as failed: a readiness probe must answer, not hang on
// a database that accepts connections and never replies (or a pool with no free connection).
const CHECK_TIMEOUT_MS = 3000;

type Checks = { database: 'up' | 'down'; migrations?: 'applied' | 'pending' | 'unknown' };

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  // Liveness: the process answers. No database call, so a slow database does not get us restarted.
  @Public()
  @Get()
  @ApiOkResponse({
    description: 'The process is alive',
    schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
  })
  @ApiOperation({ summary: 'Liveness probe' })
  live() {
    return { status: 'ok' };
  }

  // Readiness (terminus): the database answers and every migration this build knows has been applied.
  // Also 503 while the process shuts down, so that a load balancer stops sending it requests.
  @Public()
  @Get('ready')
  @ApiOkResponse({
    description: 'Database reachable, migrations applied',
    schema: {
      type: 'object',
      required: ['status', 'checks'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        checks: {
          type: 'object',
          required: ['database', 'migrations'],
          properties: {
            database: { type: 'string', enum: ['up'] },
            migrations: { type: 'string', enum: ['applied'] },
          },
        },
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'Not ready; the problem says which check failed' })
  @ApiOperation({ summary: 'Readiness probe' })
  async ready() {
    const result = await this.health
      .check([
        () =>
          this.indicators
            .check('database')
            .attempt(async () => {
              await this.dataSource.query('SELECT 1');
            })
            .withTimeout(CHECK_TIMEOUT_MS),
        () => this.migrations(),
      ])
      .catch((error: unknown) => {
        // terminus answers a failed check with a 503 exception carrying the result.
        if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
        throw error;
      });
    const details = result.details as Record<string, { status: string; state?: Checks['migrations'] }>;
    const database = details.database?.status === 'up' ? 'up' : 'down';
    if (database === 'down')
      throw new DomainError(ErrorCode.NotReady, 'The database is not reachable.', {
        extensions: { checks: { database } satisfies Checks },
      });
    const checks: Checks = { database, migrations: details.migrations?.state ?? 'unknown' };
    if (checks.migrations === 'pending')
      throw new DomainError(ErrorCode.NotReady, 'Database migrations are pending.', { extensions: { checks } });
    if (result.status !== 'ok')
      throw new DomainError(ErrorCode.NotReady, 'The service is not ready.', { extensions: { checks } });
    return { status: 'ok', checks };
  }

  // Up when no migration of this build is pending; `state` says which of applied, pending or unknown
  // (the check failed or timed out).
  private async migrations() {
    const probe = await this.indicators
      .check('migrations')
      .attempt(async () => ({ pending: await this.dataSource.showMigrations() }))
      .withTimeout(CHECK_TIMEOUT_MS);
    const session = this.indicators.check('migrations');
    const { status, pending } = probe.migrations as { status: string; pending?: boolean };
    if (status === 'up' && pending === false) return session.up({ state: 'applied' });
    return session.down({ state: status === 'up' ? 'pending' : 'unknown' });
  }
}
