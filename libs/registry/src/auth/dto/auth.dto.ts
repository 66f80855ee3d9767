import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { ApiTokenEntity } from '@ilr/persistence';
import { Field } from '../../common/validation.js';
import { UserResponse } from '../../users/dto/user.dto.js';

export class LoginRequest {
  // Not validated as an email address: a malformed one simply fails to log in, like any other.
  @ApiProperty({ example: 'admin@ilr.local', maxLength: 254 })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email: string;

  @ApiProperty({ format: 'password', maxLength: 256 })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class LoginResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn: number;
  @ApiProperty({ type: UserResponse }) user: UserResponse;
}

export class ChangePasswordRequest {
  @ApiProperty({ format: 'password', maxLength: 256 })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  currentPassword: string;

  @Field.password({ description: 'At least 12 characters' })
  newPassword: string;
}

export class CreateTokenRequest {
  @Field.string({ minLength: 1, maxLength: 100, example: 'nightly export script' })
  name: string;

  @Field.int({ min: 1, max: 365, description: 'Lifetime of the token in days' })
  expiresInDays: number;
}

export class CreatedTokenResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The token itself. Shown once: only its hash is stored.' }) token: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class TokenResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export function toTokenResponse(token: ApiTokenEntity): TokenResponse {
  return {
    id: token.id,
    name: token.name,
    expiresAt: token.expiresAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
  };
}

export class TokenListResponse {
  @ApiProperty({ type: [TokenResponse] }) items: TokenResponse[];
}
