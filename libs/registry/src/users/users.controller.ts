import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { type AuthContext, Permission } from '../access/access.policy.js';
import { Auth, Authorize } from '../access/auth.decorators.js';
import { IdParam } from '../common/params.js';
import {
  CreateUserRequest,
  toUserResponse,
  UpdateUserRequest,
  UserListQuery,
  UserListResponse,
  UserResponse,
} from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Authorize(Permission.UserManage)
  @ApiCreatedResponse({ type: UserResponse })
  @ApiConflictResponse({ description: 'A user with this email already exists' })
  @ApiOperation({ summary: 'Create a user' })
  async create(@Auth() auth: AuthContext, @Body() body: CreateUserRequest): Promise<UserResponse> {
    return toUserResponse(await this.users.create(auth, body));
  }

  @Get()
  @Authorize(Permission.UserManage)
  @ApiOkResponse({ type: UserListResponse })
  @ApiOperation({ summary: 'List users' })
  async list(@Auth() auth: AuthContext, @Query() query: UserListQuery): Promise<UserListResponse> {
    const page = await this.users.list(auth, query.limit, query.cursor);
    return { items: page.items.map(toUserResponse), nextCursor: page.nextCursor };
  }

  @Patch(':id')
  @Authorize(Permission.UserManage)
  @ApiOkResponse({ type: UserResponse })
  @ApiConflictResponse({ description: 'This would leave the registry without an active administrator' })
  @ApiOperation({ summary: 'Update a user' })
  async update(
    @Auth() auth: AuthContext,
    @IdParam() id: string,
    @Body() body: UpdateUserRequest,
  ): Promise<UserResponse> {
    return toUserResponse(await this.users.update(auth, id, body));
  }
}
