import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// One fixed-window counter of the shared throttle store (login attempts, API rate limits, refused
// patient links). Kept in the database, not in process memory, so that every API process sees the
// same counts and a restart forgets nothing. Keys never hold an identifier in clear (emails are hashed).
@Entity({ name: 'throttle_counters' })
export class ThrottleCounterEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'integer' })
  hits: number;

  // End of the current window; expired rows are reset on the next hit and pruned periodically.
  @Index('IDX_throttle_counters_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
