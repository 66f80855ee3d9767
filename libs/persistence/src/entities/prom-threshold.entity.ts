import { Column, Entity, PrimaryColumn } from 'typeorm';

// Reference data: MCID and PASS per instrument and timepoint, with the citation. Filled by a
// migration; a new version of the thresholds is a new migration, never an edit.
@Entity({ name: 'prom_thresholds' })
export class PromThresholdEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  instrument: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  timepoint: string;

  @Column({ type: 'double precision' })
  mcid: number;

  @Column({ type: 'double precision' })
  pass: number;

  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'varchar', length: 32 })
  version: string;
}
