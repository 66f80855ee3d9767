import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { INSTRUMENTS, type Instrument } from '@ilr/clinical';
import { oneOf } from './checks.js';
import { FollowUpEntity } from './follow-up.entity.js';

// One instrument answered at one visit: the items as given, and the score computed from them with
// the version of the scoring rules. No score (null) when too few items were answered.
@Entity({ name: 'prom_responses' })
@Check('CHK_prom_responses_instrument', oneOf('instrument', INSTRUMENTS))
@Check('CHK_prom_responses_score', '"score" IS NULL OR ("score" >= 0 AND "score" <= 100)')
@Index('IDX_prom_responses_instrument', ['instrument', 'followUpId'])
export class PromResponseEntity {
  @PrimaryColumn({ name: 'follow_up_id', type: 'uuid' })
  followUpId: string;

  @ManyToOne(() => FollowUpEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'follow_up_id' })
  followUp?: Relation<FollowUpEntity>;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  instrument: Instrument;

  @Column({ type: 'jsonb' })
  items: object;

  @Column({ type: 'double precision', nullable: true })
  score: number | null;

  @Column({ type: 'double precision', nullable: true })
  raw: number | null;

  @Column({ type: 'smallint' })
  answered: number;

  @Column({ name: 'unscored_reason', type: 'text', nullable: true })
  unscoredReason: string | null;

  @Column({ name: 'scoring_version', type: 'varchar', length: 32 })
  scoringVersion: string;
}
