import { ApiTokenEntity } from './api-token.entity.js';
import { UserEntity } from './user.entity.js';

// Listed explicitly: ES modules give TypeORM no globs to load.
export const ENTITIES = [UserEntity, ApiTokenEntity];
