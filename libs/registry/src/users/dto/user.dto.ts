import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type UserEntity, type UserRole } from '@ilr/persistence';
import { Field } from '../../common/validation.js';

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: USER_ROLES, enumName: 'UserRole' }) role: UserRole;
  @ApiProperty() active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export function toUserResponse(user: UserEntity): UserResponse {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    active: user.active,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export class CreateUserRequest {
  @Field.email({ example: 'j.surgeon@hospital.example' })
  email: string;

  @Field.string({ minLength: 1, maxLength: 200, example: 'Dr J. Surgeon' })
  displayName: string;

  @Field.code(USER_ROLES, { enumName: 'UserRole' })
  role: UserRole;

  @Field.password()
  password: string;
}

export class UpdateUserRequest {
  @Field.boolean({ optional: true, description: 'false deactivates the user; their tokens stop working at once' })
  active?: boolean;

  @Field.code(USER_ROLES, { optional: true, enumName: 'UserRole' })
  role?: UserRole;

  @Field.string({ optional: true, minLength: 1, maxLength: 200 })
  displayName?: string;

  @Field.password({ optional: true, description: 'Sets a new password (an admin reset)' })
  password?: string;
}

export class UserListQuery {
  @Field.int({ optional: true, query: true, min: 1, max: 500, description: 'Page size (default 50)' })
  limit?: number;

  @Field.string({ optional: true, maxLength: 512 })
  cursor?: string;
}

export class UserListResponse {
  @ApiProperty({ type: [UserResponse] }) items: UserResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
