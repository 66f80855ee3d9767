import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../access/auth.decorators.js';
import {
  QuestionnaireResponse,
  SaveQuestionnaireProgressRequest,
  SubmitQuestionnaireRequest,
  SubmitQuestionnaireResponse,
  UnsubscribeRequest,
  UnsubscribeResponse,
} from './dto/questionnaire.dto.js';
import { QuestionnaireService } from './questionnaire.service.js';

const INVALID = 'The link is unknown, used or expired (one answer for all three)';
const THROTTLED = 'Too many requests, or too many links that were not valid, from this address';

// The patient's questionnaire, reached by the token of an emailed link: no account, no credentials.
@ApiTags('questionnaire')
@Controller('api/v1/questionnaire')
export class QuestionnaireController {
  constructor(private readonly questionnaires: QuestionnaireService) {}

  // Declared before ':token' so that the path is not read as a token.
  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: UnsubscribeResponse })
  @ApiNotFoundResponse({ description: INVALID })
  @ApiTooManyRequestsResponse({ description: THROTTLED })
  @ApiOperation({ summary: 'Stop questionnaire invitations (the unsubscribe link)' })
  async unsubscribe(@Body() body: UnsubscribeRequest, @Req() request: Request): Promise<UnsubscribeResponse> {
    await this.questionnaires.unsubscribe(body.token, request.ip);
    return { promInvitations: 'declined' };
  }

  @Get(':token')
  @Public()
  @ApiOkResponse({ type: QuestionnaireResponse })
  @ApiNotFoundResponse({ description: INVALID })
  @ApiTooManyRequestsResponse({ description: THROTTLED })
  @ApiOperation({
    summary: "Open a patient's questionnaire",
    description: 'The instruments due and the answers saved so far.',
  })
  open(@Param('token') token: string, @Req() request: Request): Promise<QuestionnaireResponse> {
    return this.questionnaires.open(token, request.ip);
  }

  @Put(':token/answers')
  @Public()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Saved' })
  @ApiNotFoundResponse({ description: INVALID })
  @ApiTooManyRequestsResponse({ description: THROTTLED })
  @ApiOperation({ summary: 'Keep the answers given so far' })
  async saveProgress(
    @Param('token') token: string,
    @Body() body: SaveQuestionnaireProgressRequest,
    @Req() request: Request,
  ): Promise<void> {
    await this.questionnaires.saveProgress(token, request.ip, body.answers);
  }

  @Post(':token/submit')
  @Public()
  @ApiCreatedResponse({ type: SubmitQuestionnaireResponse, description: 'The answers are a follow-up visit now' })
  @ApiNotFoundResponse({ description: INVALID })
  @ApiTooManyRequestsResponse({ description: THROTTLED })
  @ApiOperation({
    summary: 'Submit the answers',
    description: 'Every instrument asked for must be complete enough to score. The link is used afterwards.',
  })
  async submit(
    @Param('token') token: string,
    @Body() body: SubmitQuestionnaireRequest,
    @Req() request: Request,
  ): Promise<SubmitQuestionnaireResponse> {
    await this.questionnaires.submit(token, request.ip, body.answers);
    return { status: 'answered' };
  }
}
