import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { PromThresholdEntity } from '@ilr/persistence';
import {
  INVITED_TIMEPOINTS,
  QUESTIONNAIRE_INSTRUMENTS,
  QUESTIONNAIRE_SCHEDULE_SOURCE,
  QUESTIONNAIRE_SCHEDULE_VERSION,
  REMINDER_DAYS,
  timepointWindow,
} from '@ilr/clinical';
import { QuestionnaireScheduleResponse } from '../questionnaires/dto/questionnaire.dto.js';
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

  @Get('questionnaire-schedule')
  @Authorize(Permission.ReferenceRead)
  @ApiOkResponse({ type: QuestionnaireScheduleResponse })
  @ApiOperation({
    summary: "Read the patients' questionnaire schedule",
    description:
      'Which instruments each timepoint asks for, when its invitation opens and closes, and the reminder days.',
  })
  questionnaireSchedule(): QuestionnaireScheduleResponse {
    return {
      timepoints: INVITED_TIMEPOINTS.map((timepoint) => {
        const window = timepointWindow(timepoint);
        return {
          timepoint,
          opensOnDay: window.from,
          closesOnDay: window.to,
          instruments: [...QUESTIONNAIRE_INSTRUMENTS[timepoint]],
        };
      }),
      reminderDays: [...REMINDER_DAYS],
      source: QUESTIONNAIRE_SCHEDULE_SOURCE,
      version: QUESTIONNAIRE_SCHEDULE_VERSION,
    };
  }
}
