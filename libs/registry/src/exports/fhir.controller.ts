import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { Permission } from '../access/access.policy.js';
import { Authorize } from '../access/auth.decorators.js';
import { DomainError } from '../common/errors.js';
import {
  CODE_SYSTEMS,
  type FhirResource,
  findCodeSystem,
  findQuestionnaire,
  QUESTIONNAIRES,
  searchset,
} from './fhir-terminology.js';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const bundleSchema = {
  type: 'object',
  required: ['resourceType', 'type', 'total', 'entry'],
  properties: {
    resourceType: { type: 'string', enum: ['Bundle'] },
    type: { type: 'string', enum: ['searchset'] },
    total: { type: 'integer' },
    entry: {
      type: 'array',
      items: {
        type: 'object',
        properties: { fullUrl: { type: 'string' }, resource: { type: 'object' }, search: { type: 'object' } },
      },
    },
  },
};
const resourceSchema = (resourceType: string) => ({
  type: 'object',
  required: ['resourceType', 'id', 'url', 'status'],
  properties: {
    resourceType: { type: 'string', enum: [resourceType] },
    id: { type: 'string' },
    url: { type: 'string' },
    version: { type: 'string' },
    status: { type: 'string' },
  },
  additionalProperties: true,
});
const fhirJson = (schema: Record<string, unknown>) => ({ content: { 'application/fhir+json': { schema } } });

// The registry's local CodeSystems and PROM Questionnaires (FHIR R4), the same resources the FHIR
// export writes on its first line. Reference data: any signed-in user may read them.
@ApiTags('fhir')
@Controller('api/v1/fhir')
export class FhirController {
  @Get('CodeSystem')
  @Authorize(Permission.ReferenceRead)
  @ApiOkResponse({ description: 'A searchset Bundle of every local CodeSystem', ...fhirJson(bundleSchema) })
  @ApiOperation({ summary: 'List the local FHIR CodeSystems' })
  codeSystems(@Res({ passthrough: true }) response: Response) {
    return send(response, searchset(CODE_SYSTEMS));
  }

  @Get('CodeSystem/:id')
  @Authorize(Permission.ReferenceRead)
  @ApiOkResponse({ description: 'One local CodeSystem', ...fhirJson(resourceSchema('CodeSystem')) })
  @ApiNotFoundResponse({ description: 'No CodeSystem with this id' })
  @ApiOperation({ summary: 'Read one local FHIR CodeSystem' })
  codeSystem(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    return send(response, findCodeSystem(id) ?? notFound('The CodeSystem'));
  }

  @Get('Questionnaire')
  @Authorize(Permission.ReferenceRead)
  @ApiOkResponse({ description: 'A searchset Bundle of the PROM Questionnaires', ...fhirJson(bundleSchema) })
  @ApiOperation({ summary: 'List the PROM Questionnaires (FHIR)' })
  questionnaires(@Res({ passthrough: true }) response: Response) {
    return send(response, searchset(QUESTIONNAIRES));
  }

  @Get('Questionnaire/:id')
  @Authorize(Permission.ReferenceRead)
  @ApiOkResponse({
    description: 'One PROM Questionnaire with its items and answer options',
    ...fhirJson(resourceSchema('Questionnaire')),
  })
  @ApiNotFoundResponse({ description: 'No Questionnaire with this id' })
  @ApiOperation({ summary: 'Read one PROM Questionnaire (FHIR)' })
  questionnaire(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    return send(response, findQuestionnaire(id) ?? notFound('The Questionnaire'));
  }
}

function send<T>(response: Response, body: T): T {
  response.type(FHIR_JSON);
  return body;
}

function notFound(what: string): FhirResource {
  throw DomainError.notFound(what);
}
