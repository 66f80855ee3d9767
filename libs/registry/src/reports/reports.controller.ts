import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { DataQualityService } from './data-quality.service.js';
import { DataQualityQuery } from './dto/report-filter.dto.js';

@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly dataQuality: DataQualityService) {}

  @Get('data-quality')
  @Authorize(Permission.DataQualityRead)
  @ApiOkResponse({ description: 'Overdue follow-ups, drafts unsigned after 14 days, visits missing required data' })
  dataQualityReport(@Auth() auth: AuthContext, @Query() query: DataQualityQuery) {
    return this.dataQuality.report(auth, query);
  }
}
