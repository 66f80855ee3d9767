import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { PromThresholdEntity } from '@ilr/persistence';
import { Permission } from '../access/access.policy.js';
import { Authorize } from '../access/auth.decorators.js';

@ApiTags('reference')
@Controller('api/v1/reference')
export class ReferenceController {
  constructor(private readonly dataSource: DataSource) {}

  // Reference data, read as stored (it is filled by migrations, with its citation).
  @Get('prom-thresholds')
  @Authorize(Permission.ReferenceRead)
  @ApiOkResponse({
    description: 'MCID and PASS per instrument and timepoint, with the source',
    schema: {
      type: 'object',
      required: ['rules', 'items'],
      properties: {
        rules: {
          type: 'object',
          required: ['mcid', 'pass', 'earlyVisits'],
          properties: { mcid: { type: 'string' }, pass: { type: 'string' }, earlyVisits: { type: 'string' } },
        },
        items: {
          type: 'array',
          items: {
            type: 'object',
            required: ['instrument', 'timepoint', 'mcid', 'pass', 'source', 'version'],
            properties: {
              instrument: { type: 'string' },
              timepoint: { type: 'string' },
              mcid: { type: 'number' },
              pass: { type: 'number' },
              source: { type: 'string' },
              version: { type: 'string' },
            },
          },
        },
      },
    },
  })
  @ApiOperation({ summary: 'Read the PROM MCID and PASS thresholds' })
  async promThresholds() {
    const rows = await this.dataSource
      .getRepository(PromThresholdEntity)
      .find({ order: { instrument: 'ASC', timepoint: 'ASC' } });
    return {
      rules: {
        mcid: 'MCID reached = paired change from the preop score ≥ MCID',
        pass: 'PASS reached = score ≥ PASS',
        earlyVisits: 'Visits before 1y use the 1y value',
      },
      items: rows.map(({ instrument, timepoint, mcid, pass, source, version }) => ({
        instrument,
        timepoint,
        mcid,
        pass,
        source,
        version,
      })),
    };
  }
}
