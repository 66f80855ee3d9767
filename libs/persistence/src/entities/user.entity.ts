import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const USER_ROLES = ['surgeon', 'registry_staff', 'quality_reviewer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

@Entity({ name: 'users' })
@Check('CHK_users_role', `"role" IN ('surgeon', 'registry_staff', 'quality_reviewer', 'admin')`)
@Check('CHK_users_email_lowercase', `"email" = lower("email")`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // Stored lower-cased (enforced by a check) so that the unique index is case-insensitive.
  @Column({ type: 'varchar', length: 254, unique: true })
  email: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'varchar', length: 32 })
  role: UserRole;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  // Bumped by a password reset or change: access tokens issued under an older version are refused.
  @Column({ name: 'credentials_version', type: 'integer', default: 0 })
  credentialsVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
