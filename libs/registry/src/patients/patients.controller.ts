import { Body, Controller, Get, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { ApiCreatedRecord, ApiIdempotencyKey, ApiIfMatch, ApiRecordResponse } from '../common/api-docs.js';
import { IdParam } from '../common/params.js';
import { IfMatch, Idempotency, type IdempotencyRequest } from '../common/preconditions.js';
import { created, withETag } from '../common/reply.js';
import {
  CreatePatientRequest,
  PatientListResponse,
  PatientLookupQuery,
  PatientResponse,
  UpdatePatientRequest,
} from './dto/patient.dto.js';
import { PatientsService } from './patients.service.js';

@ApiTags('patients')
@Controller('api/v1/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Post()
  @Authorize(Permission.PatientCreate)
  @ApiIdempotencyKey()
  @ApiCreatedRecord(PatientResponse)
  @ApiConflictResponse({ description: 'The MRN is known; the problem carries `existingId`' })
  @ApiOperation({ summary: 'Create a patient' })
  async create(
    @Auth() auth: AuthContext,
    @Body() body: CreatePatientRequest,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PatientResponse> {
    return created(response, '/api/v1/patients', await this.patients.create(auth, body, idempotency));
  }

  @Get()
  @Authorize(Permission.PatientReadIdentified)
  @ApiOkResponse({
    type: PatientListResponse,
    description: 'The patient with exactly this MRN, if the caller may see it',
  })
  @ApiOperation({ summary: 'Find a patient by MRN' })
  async lookup(@Auth() auth: AuthContext, @Query() query: PatientLookupQuery): Promise<PatientListResponse> {
    return {
      items: (await this.patients.lookup(auth, query.mrn)).map((p) => this.patients.view(auth, p)),
      nextCursor: null,
    };
  }

  @Get(':id')
  @Authorize(Permission.PatientRead)
  @ApiRecordResponse(PatientResponse)
  @ApiOperation({ summary: 'Read a patient' })
  async get(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PatientResponse> {
    const patient = await this.patients.get(auth, id);
    return withETag(response, patient.version, this.patients.view(auth, patient));
  }

  @Patch(':id')
  @Authorize(Permission.PatientUpdate)
  @ApiIfMatch(true)
  @ApiRecordResponse(PatientResponse)
  @ApiConflictResponse({ description: 'Another patient has this MRN' })
  @ApiOperation({ summary: 'Update a patient' })
  async update(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: UpdatePatientRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PatientResponse> {
    const patient = await this.patients.update(auth, id, ifMatch, body);
    return withETag(response, patient.version, this.patients.view(auth, patient));
  }
}
