import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { COMPLICATION_TYPE, SCHEDULED_TIMEPOINTS, SCORED_INSTRUMENTS } from '@ilr/clinical';
import { CaseEntity } from './case.entity.js';

export const FACT_INSTRUMENTS = SCORED_INSTRUMENTS;
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const factColumn = {
  hasVisit: (t: string) => `has_visit_${t}`,
  visitDay: (t: string) => `visit_day_${t}`,
  snapping: (t: string) => `snapping_${t}`,
  groinPain: (t: string) => `groin_pain_${t}`,
  score: (instrument: string, t: string) => `${snake(instrument)}_${t}`,
  hasComplication: (type: string) => `has_${type}`,
};

// One row per case with what the reports and the wide export need from its visits, PROMs and
// complications: per timepoint the visit used (nearest the target day, earlier on a tie) and its
// scores, the first event days, the last contact and a flag per complication type. Rewritten in
// the same transaction as every change to the case or its children (CaseFactsRepository.refresh),
// so reports aggregate one row per case instead of re-deriving this from every visit each time.
@Entity({ name: 'case_facts' })
export class CaseFactsEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @OneToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Relation<CaseEntity>;

  // Days after surgery; null when there is no such event.
  @Column({ name: 'first_complication_day', type: 'integer', nullable: true }) firstComplicationDay: number | null;
  @Column({ name: 'recurrence_day', type: 'integer', nullable: true }) recurrenceDay: number | null;
  @Column({ name: 'reoperation_day', type: 'integer', nullable: true }) reoperationDay: number | null;
  @Column({ name: 'conversion_day', type: 'integer', nullable: true }) conversionDay: number | null;
  // Latest visit, complication date or death, in days after surgery; 0 when nothing follows surgery.
  @Column({ name: 'last_contact_day', type: 'integer' }) lastContactDay: number;
  @Column({ name: 'max_brooker_grade', type: 'smallint', nullable: true }) maxBrookerGrade: number | null;
}

// The per-timepoint and per-type columns, declared in a loop (the same decorators, applied by hand).
for (const t of SCHEDULED_TIMEPOINTS) {
  Column({ name: factColumn.hasVisit(t), type: 'boolean', default: false })(
    CaseFactsEntity.prototype,
    factColumn.hasVisit(t),
  );
  Column({ name: factColumn.visitDay(t), type: 'integer', nullable: true })(
    CaseFactsEntity.prototype,
    factColumn.visitDay(t),
  );
  Column({ name: factColumn.snapping(t), type: 'varchar', length: 16, nullable: true })(
    CaseFactsEntity.prototype,
    factColumn.snapping(t),
  );
  Column({ name: factColumn.groinPain(t), type: 'double precision', nullable: true })(
    CaseFactsEntity.prototype,
    factColumn.groinPain(t),
  );
  for (const i of FACT_INSTRUMENTS) {
    Column({ name: factColumn.score(i, t), type: 'double precision', nullable: true })(
      CaseFactsEntity.prototype,
      factColumn.score(i, t),
    );
  }
}
for (const type of COMPLICATION_TYPE.codes) {
  Column({ name: factColumn.hasComplication(type), type: 'boolean', default: false })(
    CaseFactsEntity.prototype,
    factColumn.hasComplication(type),
  );
}
