import { Body, Controller, Delete, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiUnauthorizedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiOperation,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize, Public } from '../access/auth.decorators.js';
import { IdParam } from '../common/params.js';
import { LoginAttempt } from '../throttling/throttle-keys.js';
import { toUserResponse, UserResponse } from '../users/dto/user.dto.js';
import { AuthService, type LoginResult } from './auth.service.js';
import {
  ChangePasswordRequest,
  CreatedTokenResponse,
  CreateTokenRequest,
  LoginRequest,
  LoginResponse,
  TokenListResponse,
  toTokenResponse,
} from './dto/auth.dto.js';

function toLoginResponse(result: LoginResult): LoginResponse {
  return {
    accessToken: result.accessToken,
    tokenType: result.tokenType,
    expiresIn: result.expiresIn,
    user: toUserResponse(result.user),
  };
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @LoginAttempt()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponse })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts for this email or address' })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password, or the account is inactive' })
  @ApiOperation({ summary: 'Sign in with email and password' })
  async login(@Body() body: LoginRequest, @Req() request: Request): Promise<LoginResponse> {
    return toLoginResponse(await this.auth.login(body.email, body.password, request.ip));
  }

  // Ends every other session and personal token of the caller; answers with a new access token. The
  // permission is the one for the caller's own tokens: a password is one of their own credentials.
  @Post('password')
  @HttpCode(200)
  @Authorize(Permission.TokenManageOwn)
  @ApiOkResponse({ type: LoginResponse })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong current passwords for this account' })
  @ApiOperation({ summary: 'Change your password (ends your other sessions)' })
  async changePassword(@Auth() auth: AuthContext, @Body() body: ChangePasswordRequest): Promise<LoginResponse> {
    return toLoginResponse(await this.auth.changePassword(auth, body.currentPassword, body.newPassword));
  }

  @Get('me')
  @Authorize(Permission.ProfileRead)
  @ApiOkResponse({ type: UserResponse })
  @ApiOperation({ summary: 'Read the signed-in user' })
  async me(@Auth() auth: AuthContext): Promise<UserResponse> {
    return toUserResponse(await this.auth.me(auth));
  }

  @Post('tokens')
  @Authorize(Permission.TokenManageOwn)
  @ApiCreatedResponse({ type: CreatedTokenResponse })
  @ApiOperation({ summary: 'Create a personal API token' })
  async createToken(@Auth() auth: AuthContext, @Body() body: CreateTokenRequest): Promise<CreatedTokenResponse> {
    const created = await this.auth.createToken(auth, body.name, body.expiresInDays);
    return { id: created.id, name: created.name, token: created.token, expiresAt: created.expiresAt.toISOString() };
  }

  @Get('tokens')
  @Authorize(Permission.TokenManageOwn)
  @ApiOkResponse({ type: TokenListResponse })
  @ApiOperation({ summary: 'List your API tokens' })
  async listTokens(@Auth() auth: AuthContext): Promise<TokenListResponse> {
    return { items: (await this.auth.listTokens(auth)).map(toTokenResponse) };
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @Authorize(Permission.TokenManageOwn)
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiOperation({ summary: 'Revoke one of your API tokens' })
  async revokeToken(@Auth() auth: AuthContext, @IdParam() id: string): Promise<void> {
    await this.auth.revokeToken(auth, id);
  }
}
