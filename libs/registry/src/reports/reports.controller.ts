import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { ApiJsonOrCsv, ApiTextResponse } from '../common/api-docs.js';
import { DataQualityService } from './data-quality.service.js';
import { DataQualityQuery } from './dto/report-filter.dto.js';
import {
  CUSUM_REPORT_SCHEMA,
  DATA_QUALITY_REPORT_SCHEMA,
  FUNNEL_REPORT_SCHEMA,
  OUTCOMES_REPORT_SCHEMA,
  SURVIVAL_REPORT_SCHEMA,
} from './dto/report-schemas.js';
import { CusumQuery, FunnelQuery, OutcomesQuery, SurvivalQuery } from './dto/report-queries.dto.js';
import { OutcomesService } from './outcomes.service.js';
import { cusumCsv, dataQualityCsv, funnelCsv, outcomesCsv, survivalCsv } from './render/report-csv.js';
import { cusumHtml, funnelHtml, outcomesHtml, survivalHtml } from './render/report-html.js';

// JSON by default; `?format=csv` or `Accept: text/csv` gives the same figures as one CSV table.
function negotiate<T>(
  report: T,
  format: string | undefined,
  accept: string | undefined,
  response: Response,
  csv: (r: T) => string,
): T | string {
  const wantsCsv = format === 'csv' || (format === undefined && (accept ?? '').includes('text/csv'));
  if (!wantsCsv) return report;
  response.type('text/csv; charset=utf-8');
  return csv(report);
}

function html(response: Response, page: string): string {
  response.type('text/html; charset=utf-8');
  return page;
}

@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(
    private readonly dataQuality: DataQualityService,
    private readonly outcomes: OutcomesService,
  ) {}

  @Get('data-quality')
  @Authorize(Permission.DataQualityRead)
  @ApiJsonOrCsv(
    DATA_QUALITY_REPORT_SCHEMA,
    'Overdue follow-ups, drafts unsigned after 14 days, visits missing required data',
  )
  @ApiOperation({ summary: 'Data-quality report' })
  async dataQualityReport(
    @Auth() auth: AuthContext,
    @Query() query: DataQualityQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { format, ...rest } = query;
    return negotiate(await this.dataQuality.report(auth, rest), format, accept, response, dataQualityCsv);
  }

  @Get('outcomes')
  @Authorize(Permission.OutcomeReportRead)
  @ApiJsonOrCsv(
    OUTCOMES_REPORT_SCHEMA,
    'Per group: cases, follow-up completeness, complication rates with Wilson intervals, HO by Brooker grade, recurrence, reoperation, conversion, PROM change and MCID/PASS',
  )
  @ApiOperation({ summary: 'Outcomes report' })
  async outcomesReport(
    @Auth() auth: AuthContext,
    @Query() query: OutcomesQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return negotiate(await this.outcomes.outcomes(auth, query), query.format, accept, response, outcomesCsv);
  }

  @Get('outcomes.html')
  @Authorize(Permission.OutcomeReportRead)
  @ApiTextResponse(['text/html'], 'The report as a self-contained HTML page')
  @ApiOperation({ summary: 'Outcomes report as an HTML page' })
  async outcomesPage(
    @Auth() auth: AuthContext,
    @Query() query: OutcomesQuery,
    @Res({ passthrough: true }) response: Response,
  ) {
    return html(response, await outcomesHtml(await this.outcomes.outcomes(auth, query)));
  }

  @Get('survival')
  @Authorize(Permission.OutcomeReportRead)
  @ApiJsonOrCsv(
    SURVIVAL_REPORT_SCHEMA,
    'Kaplan–Meier per group with Greenwood log-log intervals and numbers at risk; log-rank p-value',
  )
  @ApiOperation({ summary: 'Survival report (Kaplan–Meier)' })
  async survivalReport(
    @Auth() auth: AuthContext,
    @Query() query: SurvivalQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return negotiate(await this.outcomes.survival(auth, query), query.format, accept, response, survivalCsv);
  }

  @Get('survival.html')
  @Authorize(Permission.OutcomeReportRead)
  @ApiTextResponse(['text/html'], 'The report as a self-contained HTML page')
  @ApiOperation({ summary: 'Survival report as an HTML page' })
  async survivalPage(
    @Auth() auth: AuthContext,
    @Query() query: SurvivalQuery,
    @Res({ passthrough: true }) response: Response,
  ) {
    return html(response, await survivalHtml(await this.outcomes.survival(auth, query)));
  }

  @Get('funnel')
  @Authorize(Permission.OutcomeReportRead)
  @ApiJsonOrCsv(
    FUNNEL_REPORT_SCHEMA,
    'Per surgeon: evaluable cases, events, rate, 95% and 99.8% exact binomial limits, outlier flags; the funnel curve',
  )
  @ApiOperation({ summary: 'Funnel plot report' })
  async funnelReport(
    @Auth() auth: AuthContext,
    @Query() query: FunnelQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return negotiate(await this.outcomes.funnel(auth, query), query.format, accept, response, funnelCsv);
  }

  @Get('funnel.html')
  @Authorize(Permission.OutcomeReportRead)
  @ApiTextResponse(['text/html'], 'The report as a self-contained HTML page')
  @ApiOperation({ summary: 'Funnel plot as an HTML page' })
  async funnelPage(
    @Auth() auth: AuthContext,
    @Query() query: FunnelQuery,
    @Res({ passthrough: true }) response: Response,
  ) {
    return html(response, await funnelHtml(await this.outcomes.funnel(auth, query)));
  }

  @Get('cusum')
  @Authorize(Permission.OutcomeReportRead)
  @ApiJsonOrCsv(CUSUM_REPORT_SCHEMA, 'Bernoulli CUSUM path by surgery date, the parameters used, and the signals')
  @ApiOperation({ summary: 'CUSUM report' })
  async cusumReport(
    @Auth() auth: AuthContext,
    @Query() query: CusumQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return negotiate(await this.outcomes.cusum(auth, query), query.format, accept, response, cusumCsv);
  }

  @Get('cusum.html')
  @Authorize(Permission.OutcomeReportRead)
  @ApiTextResponse(['text/html'], 'The report as a self-contained HTML page')
  @ApiOperation({ summary: 'CUSUM report as an HTML page' })
  async cusumPage(
    @Auth() auth: AuthContext,
    @Query() query: CusumQuery,
    @Res({ passthrough: true }) response: Response,
  ) {
    return html(response, await cusumHtml(await this.outcomes.cusum(auth, query)));
  }
}
