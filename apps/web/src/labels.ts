import type { components } from './api/schema.js';

// User roles are not a clinical vocabulary (libs/clinical has those); typed against the API's enum so that a
// new role fails the web build until it has words.
export const USER_ROLE_LABELS: Record<components['schemas']['UserRole'], string> = {
  surgeon: 'Surgeon',
  registry_staff: 'Registry staff',
  quality_reviewer: 'Quality reviewer',
  admin: 'Administrator',
};
