import {
  addDays,
  ageInYears,
  type CaseData,
  checkCaseRules,
  type ComplicationData,
  checkComplicationRules,
  daysBetween,
  deriveTimepoint,
  type ImpingementProcedure,
  type Indication,
  type MhhsAnswers,
  MHHS_ITEMS,
  type PromAnswers,
  type Portal,
  type PriorSurgery,
  type Timepoint,
} from '@ilr/clinical';
import { Random } from './random.js';

// A synthetic but clinically plausible cohort (DOMAIN.md and the literature it cites): a mix of
// release levels, techniques and positions; preop and follow-up visits with complete PROM items and
// some missed timepoints; heterotopic ossification far more common without NSAID prophylaxis (5.6% v
// 25%, AJSM 2014), recurrence around 5% (more with an unreleased bifid tendon), reoperations and
// conversions. Every generated case and complication passes the same rules the API applies.

export interface SyntheticPatient {
  id: string;
  mrn: string;
  birthDate: string;
  sex: 'female' | 'male' | 'other' | 'unknown';
  consent: 'given' | 'declined' | 'withdrawn';
  deceasedDate: string | null;
}

export interface SyntheticVisit {
  id: string;
  visitDate: string;
  day: number;
  timepoint: Timepoint;
  contactMode: 'clinic' | 'telephone' | 'remote_questionnaire';
  snapping: 'none' | 'painless' | 'painful' | null;
  groinPain: number | null;
  hipFlexionStrength: number | null;
  returnedToSport: 'yes' | 'no' | 'not_applicable' | null;
  satisfaction: number | null;
  proms: PromAnswers;
}

export interface SyntheticComplication extends ComplicationData {
  id: string;
}

export interface SyntheticCase {
  id: string;
  patient: SyntheticPatient;
  newPatient: boolean;
  surgeonIndex: number;
  data: CaseData;
  signed: boolean;
  createdDay: number;
  visits: SyntheticVisit[];
  complications: SyntheticComplication[];
}

export interface CohortOptions {
  seed: number;
  surgeons: number;
  // The last date of the registry: no surgery, visit or event after it.
  until: string;
}

const WINDOWS: Array<[Timepoint, number, number, number, number]> = [
  // timepoint, first day, last day, target, chance the visit happened
  ['6w', 28, 69, 42, 0.75],
  ['3m', 70, 134, 91, 0.55],
  ['6m', 135, 269, 182, 0.6],
  ['1y', 270, 545, 365, 0.75],
  ['2y', 546, 912, 730, 0.5],
  ['5y', 1643, 2008, 1826, 0.4],
];
// Mean function (0–1) at each timepoint: recovery after release, then a plateau.
const RECOVERY: Record<string, number> = {
  preop: 0.56,
  '6w': 0.6,
  '3m': 0.7,
  '6m': 0.78,
  '1y': 0.83,
  '2y': 0.84,
  '5y': 0.82,
};

export class CohortGenerator {
  private readonly random: Random;
  private readonly earliest = '2012-01-01';
  private readonly surgeonWeights: number[];
  private pendingBilateral: Array<{
    patient: SyntheticPatient;
    side: 'left' | 'right';
    after: string;
    surgeonIndex: number;
  }> = [];
  private mrnCounter = 0;

  constructor(private readonly options: CohortOptions) {
    this.random = new Random(options.seed);
    // Skewed surgeon volumes (a few high-volume surgeons, a long tail).
    this.surgeonWeights = Array.from({ length: options.surgeons }, (_, i) => 1 / (i + 1) ** 0.8);
  }

  private date(from: string, to: string): string {
    return addDays(from, this.random.int(0, Math.max(0, daysBetween(from, to))));
  }

  private patient(surgeryDate: string): SyntheticPatient {
    const r = this.random;
    const age = r.chance(0.005) ? r.int(88, 96) : Math.round(r.clamp(r.normal(32, 11), 14, 70));
    const birthDate = addDays(surgeryDate, -(age * 365 + r.int(0, 364)));
    const deceased = r.chance(0.004) ? addDays(surgeryDate, r.int(400, 3000)) : null;
    return {
      id: r.uuid(),
      mrn: `S${String(++this.mrnCounter).padStart(8, '0')}`,
      birthDate,
      sex: r.weighted([
        ['female', 70],
        ['male', 29],
        ['other', 0.5],
        ['unknown', 0.5],
      ] as const),
      consent: r.weighted([
        ['given', 96],
        ['declined', 2],
        ['withdrawn', 2],
      ] as const),
      deceasedDate: deceased && deceased <= this.options.until ? deceased : null,
    };
  }

  next(): SyntheticCase {
    const r = this.random;
    const lastSurgery = addDays(this.options.until, -14);
    // A second hip is operated 3–13 months after the first, unless the patient died before.
    const bilateral = this.pendingBilateral.findIndex(
      (b) => b.after <= lastSurgery && (!b.patient.deceasedDate || b.patient.deceasedDate > addDays(b.after, 300)),
    );
    let patient: SyntheticPatient;
    let side: 'left' | 'right';
    let surgeryDate: string;
    let newPatient = true;
    let surgeonIndex = r.weighted(this.surgeonWeights.map((w, i) => [i, w] as const));
    if (bilateral >= 0 && r.chance(0.5)) {
      const b = this.pendingBilateral.splice(bilateral, 1)[0];
      ({ patient, side, surgeonIndex } = b);
      surgeryDate = this.date(b.after, addDays(b.after, 300) < lastSurgery ? addDays(b.after, 300) : lastSurgery);
      newPatient = false;
    } else {
      surgeryDate = this.date(this.earliest, lastSurgery);
      patient = this.patient(surgeryDate);
      side = r.chance(0.5) ? 'left' : 'right';
      if (r.chance(0.07))
        this.pendingBilateral.push({
          patient,
          side: side === 'left' ? 'right' : 'left',
          after: addDays(surgeryDate, 90),
          surgeonIndex,
        });
    }
    const data = this.caseData(surgeryDate, side, patient);
    const errors = checkCaseRules(data, { today: this.options.until, birthDate: patient.birthDate });
    if (errors.length) throw new Error(`generated an invalid case: ${JSON.stringify(errors)}`);
    const id = r.uuid();
    const complications = this.complications(id, data, patient, surgeonIndex);
    const visits = this.visits(data, patient, complications);
    return {
      id,
      patient,
      newPatient,
      surgeonIndex,
      data,
      signed: r.chance(0.95),
      createdDay: r.int(0, 6),
      visits,
      complications: this.linkVisits(id, complications, visits, data),
    };
  }

  private caseData(surgeryDate: string, side: 'left' | 'right', patient: SyntheticPatient): CaseData {
    const r = this.random;
    const indications = r.subset(
      [
        'internal_snapping_hip',
        'iliopsoas_tendinopathy',
        'iliopsoas_bursitis',
        'iliopsoas_impingement',
      ] as Indication[],
      0.35,
    );
    if (indications.length === 0 || r.chance(0.8))
      if (!indications.includes('internal_snapping_hip')) indications.unshift('internal_snapping_hip');
    const prior: PriorSurgery[] = r.chance(0.15)
      ? [
          r.weighted([
            ['hip_arthroscopy', 10],
            ['iliopsoas_release', 2],
            ['periacetabular_osteotomy', 1],
            ['total_hip_arthroplasty', 1],
            ['other', 1],
          ] as const),
        ]
      : [];
    const injectionPerformed = r.chance(0.7);
    const location = r.chance(0.55) ? 'capsular' : 'lesser_trochanter';
    const capsularLevel =
      location === 'capsular' ? (r.chance(0.6) ? 'central_compartment' : 'peripheral_compartment') : null;
    const traction = capsularLevel === 'central_compartment' ? r.int(25, 70) : r.chance(0.5) ? 0 : r.int(10, 45);
    const portals: Portal[] = ['anterolateral'];
    if (r.chance(0.85)) portals.push('mid_anterior');
    if (r.chance(0.15)) portals.push('anterior');
    if (location === 'lesser_trochanter' && r.chance(0.4)) portals.push('distal_anterolateral_accessory');
    const otherPortal = r.chance(0.02);
    if (otherPortal) portals.push('other');
    const capsulotomy =
      location === 'lesser_trochanter' && r.chance(0.3)
        ? 'none'
        : r.weighted([
            ['interportal', 75],
            ['periportal', 17],
            ['t_capsulotomy', 8],
          ] as const);
    const labralTear = r.chance(0.55);
    const cam = r.chance(0.4);
    const pincer = r.chance(0.2);
    const repair = labralTear || cam || pincer ? r.chance(0.75) : r.chance(0.1);
    const procedures: ImpingementProcedure[] = [];
    if (repair) {
      if (labralTear)
        procedures.push(
          r.weighted([
            ['labral_repair', 60],
            ['labral_debridement', 35],
            ['labral_reconstruction', 5],
          ] as const),
        );
      if (cam) procedures.push('femoral_osteochondroplasty');
      if (pincer) procedures.push('acetabular_rim_trimming');
      if (r.chance(0.2)) procedures.push('chondroplasty');
      if (r.chance(0.1)) procedures.push('synovectomy');
      if (procedures.length === 0) procedures.push('synovectomy');
    }
    const bundles = r.weighted([
      [1, 80],
      [2, 17],
      [3, 3],
    ] as const);
    const height = patient.sex === 'male' ? r.normal(179, 7) : r.normal(166, 7);
    const heightCm = Math.round(r.clamp(height, 140, 205) * 10) / 10;
    const weightKg = Math.round(r.clamp(r.normal(24, 3.5), 17, 40) * (heightCm / 100) ** 2 * 10) / 10;
    return {
      surgeryDate,
      side,
      indications,
      priorIpsilateralSurgery: prior,
      diagnosticInjection: {
        performed: injectionPerformed,
        response: injectionPerformed
          ? r.weighted([
              ['complete_relief', 50],
              ['partial_relief', 35],
              ['no_relief', 15],
            ] as const)
          : null,
      },
      symptomDurationMonths: r.int(4, 72),
      conservativeTreatment: r.subset(
        ['rest', 'analgesics', 'nsaids', 'physiotherapy', 'corticosteroid_injection'] as const,
        0.55,
      ),
      examination: { snappingReproduced: r.chance(0.75) },
      activityLevel: r.weighted([
        ['sedentary', 20],
        ['recreational', 55],
        ['competitive_athlete', 25],
      ] as const),
      heightCm,
      weightKg: r.clamp(weightKg, 30, 250),
      imaging: {
        alphaAngle: Math.round(r.clamp(r.normal(cam ? 62 : 48, 7), 20, 120) * 10) / 10,
        lateralCenterEdgeAngle: Math.round(r.clamp(r.normal(pincer ? 38 : 30, 5), -20, 60) * 10) / 10,
        tonnisGrade: r.weighted([
          [0, 60],
          [1, 30],
          [2, 8],
          [3, 2],
        ] as const),
        dynamicUltrasoundSnapping: r.chance(0.6) ? r.chance(0.75) : null,
        bifidTendonOnMri: r.chance(0.7) ? bundles > 1 && r.chance(0.6) : null,
      },
      anesthesia: r.weighted([
        ['general', 60],
        ['regional', 10],
        ['general_and_regional', 30],
      ] as const),
      positioning: r.chance(0.8) ? 'supine' : 'lateral',
      tractionMinutes: traction,
      operativeMinutes: traction + r.int(25, 95),
      portals,
      portalsOther: otherPortal ? 'accessory posterior' : null,
      capsulotomy,
      capsularClosure: capsulotomy !== 'none' && r.chance(0.5),
      findings: {
        labralTear,
        anteriorLabralLesionAtPsoas: labralTear && r.chance(0.6),
        cam,
        pincer,
        acetabularCartilageIcrs: r.chance(0.8)
          ? r.weighted([
              [0, 40],
              [1, 30],
              [2, 20],
              [3, 8],
              [4, 2],
            ] as const)
          : null,
        femoralCartilageIcrs: r.chance(0.8)
          ? r.weighted([
              [0, 55],
              [1, 25],
              [2, 15],
              [3, 4],
              [4, 1],
            ] as const)
          : null,
      },
      release: {
        location,
        capsularLevel,
        technique:
          location === 'capsular'
            ? r.chance(0.8)
              ? 'fractional_lengthening'
              : 'complete_tenotomy'
            : r.chance(0.85)
              ? 'complete_tenotomy'
              : 'fractional_lengthening',
        tendonBundles: bundles,
        allBundlesReleased: bundles > 1 ? r.chance(0.88) : null,
      },
      impingementRepair: { performed: repair, procedures },
      hoProphylaxis: r.weighted([
        ['nsaid', 60],
        ['none', 38],
        ['radiotherapy', 2],
      ] as const),
      intraoperativeEvents: r.subset(
        ['fluid_extravasation', 'iatrogenic_chondral_injury', 'iatrogenic_labral_injury'] as const,
        0.025,
      ),
      notes: r.chance(0.25)
        ? r.pick([
            'Uneventful.',
            'Snap reproduced under traction.',
            'Bursa inflamed.',
            'Thick tendon; two bundles seen.',
          ])
        : null,
    };
  }

  private complications(
    caseId: string,
    data: CaseData,
    patient: SyntheticPatient,
    surgeonIndex: number,
  ): SyntheticComplication[] {
    const r = this.random;
    const out: SyntheticComplication[] = [];
    const until =
      patient.deceasedDate && patient.deceasedDate < this.options.until ? patient.deceasedDate : this.options.until;
    const at = (fromDay: number, toDay: number) => addDays(data.surgeryDate, r.int(fromDay, toDay));
    const add = (c: ComplicationData) => {
      if (c.onsetDate > until) return;
      if (c.reoperation && c.reoperation.date > until) c.reoperation = null;
      if (c.type === 'conversion_to_arthroplasty' && !c.reoperation) return;
      if (c.resolvedDate && c.resolvedDate > until) c.resolvedDate = null;
      if (!c.reoperation && c.sinkGrade >= 3 && c.type !== 'deep_infection') c.sinkGrade = 2;
      out.push({ id: r.uuid(), ...c });
    };
    // Heterotopic ossification: 5.6% with NSAID prophylaxis, 25.0% without (AJSM 2014).
    const hoRisk = data.hoProphylaxis === 'nsaid' ? 0.056 : data.hoProphylaxis === 'radiotherapy' ? 0.04 : 0.25;
    if (r.chance(hoRisk)) {
      const grade = r.weighted([
        [1, 50],
        [2, 30],
        [3, 15],
        [4, 5],
      ] as const);
      const onsetDate = at(42, 150);
      const excised = grade >= 3 && r.chance(0.3);
      add({
        type: 'heterotopic_ossification',
        onsetDate,
        brookerGrade: grade,
        sinkGrade: excised ? 3 : r.int(1, 2),
        reoperation: excised ? { date: addDays(onsetDate, r.int(120, 300)), procedure: 'ho_excision' } : null,
      });
    }
    // Recurrent snapping: about 5%, more with an unreleased bundle and untreated bony impingement,
    // and twice as often for one surgeon (so the funnel and CUSUM have something to show).
    const unreleased = data.release.tendonBundles > 1 && data.release.allBundlesReleased === false;
    const untreatedBony = (data.findings.cam || data.findings.pincer) && !data.impingementRepair.performed;
    const risk = (0.035 + (unreleased ? 0.2 : 0) + (untreatedBony ? 0.04 : 0)) * (surgeonIndex === 2 ? 2.2 : 1);
    if (r.chance(risk)) {
      const onsetDate = at(60, 540);
      const cause = unreleased
        ? 'bifid_tendon'
        : untreatedBony
          ? 'untreated_bony_abnormality'
          : r.weighted([
              ['incomplete_release', 60],
              ['unknown', 40],
            ] as const);
      const reoperated = r.chance(0.45);
      add({
        type: 'recurrent_snapping',
        onsetDate,
        recurrenceCause: cause,
        sinkGrade: reoperated ? 3 : 2,
        reoperation: reoperated
          ? {
              date: addDays(onsetDate, r.int(30, 200)),
              procedure: r.chance(0.8) ? 'revision_release' : 'revision_arthroscopy',
            }
          : null,
      });
    }
    const age = ageInYears(patient.birthDate, data.surgeryDate);
    const arthritic = (data.imaging?.tonnisGrade ?? 0) >= 2 || age > 50;
    if (r.chance(arthritic ? 0.05 : 0.006)) {
      const onsetDate = at(300, 1800);
      add({
        type: 'conversion_to_arthroplasty',
        onsetDate,
        sinkGrade: 3,
        reoperation: { date: addDays(onsetDate, r.int(0, 120)), procedure: 'total_hip_arthroplasty' },
      });
    }
    const minor: Array<[ComplicationData['type'], number, number, number, number]> = [
      // type, risk, onset from day, to day, Sink grade
      ['lfcn_neuropraxia', 0.02, 1, 14, 1],
      ['hip_flexor_weakness', 0.02, 14, 90, 2],
      ['persistent_groin_pain', 0.015, 90, 365, 2],
      ['pudendal_neuropraxia', 0.005, 1, 3, 1],
      ['femoral_nerve_palsy', 0.002, 1, 3, 2],
      ['deep_vein_thrombosis', 0.004, 3, 30, 2],
      ['superficial_infection', 0.006, 5, 21, 2],
    ];
    for (const [type, p, from, to, sink] of minor) {
      if (!r.chance(p)) continue;
      const onsetDate = at(from, to);
      add({
        type,
        onsetDate,
        sinkGrade: sink,
        resolvedDate: r.chance(0.8) ? addDays(onsetDate, r.int(14, 240)) : null,
        clavienDindo: sink === 1 ? 'I' : 'II',
      });
    }
    if (r.chance(0.001)) {
      const onsetDate = at(10, 40);
      add({
        type: 'deep_infection',
        onsetDate,
        sinkGrade: 3,
        clavienDindo: 'IIIb',
        reoperation: { date: addDays(onsetDate, r.int(0, 5)), procedure: 'washout' },
      });
    }
    for (const c of out) {
      const errors = checkComplicationRules(c, {
        surgeryDate: data.surgeryDate,
        today: this.options.until,
        caseId,
        followUpCaseId: null,
      });
      if (errors.length) throw new Error(`generated an invalid complication: ${JSON.stringify(errors)}`);
    }
    return out;
  }

  private mhhs(level: number): MhhsAnswers {
    const r = this.random;
    const answers: Record<string, string> = {};
    for (const [item, codes] of Object.entries(MHHS_ITEMS)) {
      const entries = Object.entries(codes as Record<string, number>);
      const max = Math.max(...entries.map(([, points]) => points));
      const wanted = r.clamp(level + r.normal(0, 0.12), 0, 1) * max;
      answers[item] = entries.reduce((best, entry) =>
        Math.abs(entry[1] - wanted) < Math.abs(best[1] - wanted) ? entry : best,
      )[0];
    }
    return answers as MhhsAnswers;
  }

  private proms(level: number, full: boolean): PromAnswers {
    const r = this.random;
    const item = (scale: number, sd: number) => Math.round(r.clamp(level * scale + r.normal(0, sd), 0, scale));
    const answers: PromAnswers = {
      mhhs: this.mhhs(level),
      ihot12: Array.from({ length: 12 }, () => (r.chance(0.03) ? null : item(100, 14))),
    };
    if (full) {
      answers.hosAdl = Array.from({ length: 17 }, () => (r.chance(0.04) ? 'na' : item(4, 0.6)));
      answers.hosSport = Array.from({ length: 9 }, () => (r.chance(0.05) ? 'na' : item(4, 0.8)));
      answers.nahs = Array.from({ length: 20 }, () => item(4, 0.6));
      answers.eq5d5l = {
        mobility: 5 - item(4, 0.7),
        selfCare: 5 - Math.max(item(4, 0.5), 2),
        usualActivities: 5 - item(4, 0.7),
        painDiscomfort: 5 - item(4, 0.8),
        anxietyDepression: 5 - Math.max(item(4, 0.6), 1),
        vas: item(100, 12),
      };
    }
    return answers;
  }

  private visits(data: CaseData, patient: SyntheticPatient, complications: SyntheticComplication[]): SyntheticVisit[] {
    const r = this.random;
    const until =
      patient.deceasedDate && patient.deceasedDate < this.options.until ? patient.deceasedDate : this.options.until;
    const baseline = r.clamp(r.normal(RECOVERY.preop, 0.12), 0.1, 0.95);
    const recurrence = complications.find((c) => c.type === 'recurrent_snapping');
    const out: SyntheticVisit[] = [];
    const plan: Array<[Timepoint, number]> = [];
    if (r.chance(0.9)) plan.push(['preop', -r.int(0, 60)]);
    for (const [tp, from, to, target, p] of WINDOWS) {
      if (!r.chance(p)) continue;
      plan.push([tp, Math.round(r.clamp(r.normal(target, (to - from) / 5), from, to))]);
    }
    if (r.chance(0.1)) plan.push(['unscheduled', r.int(7, 20)]);
    for (const [tp, day] of plan) {
      const visitDate = addDays(data.surgeryDate, day);
      if (visitDate > until) continue;
      const recurred = recurrence && recurrence.onsetDate <= visitDate;
      const level =
        tp === 'preop' || tp === 'unscheduled'
          ? baseline
          : r.clamp(baseline + (RECOVERY[tp] - RECOVERY.preop) + r.normal(0, 0.08) - (recurred ? 0.15 : 0), 0.05, 1);
      const scheduled = tp !== 'unscheduled';
      out.push({
        id: r.uuid(),
        visitDate,
        day,
        timepoint: deriveTimepoint(data.surgeryDate, visitDate),
        contactMode: r.weighted([
          ['clinic', 70],
          ['telephone', 15],
          ['remote_questionnaire', 15],
        ] as const),
        snapping: r.chance(0.97)
          ? tp === 'preop'
            ? r.weighted([
                ['painful', 75],
                ['painless', 25],
              ] as const)
            : recurred
              ? 'painful'
              : r.weighted([
                  ['none', 85],
                  ['painless', 10],
                  ['painful', 5],
                ] as const)
          : null,
        groinPain: r.chance(0.96) ? Math.round(r.clamp((1 - level) * 10 + r.normal(0, 1), 0, 10) * 10) / 10 : null,
        hipFlexionStrength:
          tp === 'preop'
            ? null
            : r.weighted([
                [5, 70],
                [4, 25],
                [3, 5],
              ] as const),
        returnedToSport:
          tp === 'preop' ? null : data.activityLevel === 'sedentary' ? 'not_applicable' : level > 0.75 ? 'yes' : 'no',
        satisfaction: tp === 'preop' ? null : Math.round(r.clamp(level * 10 + r.normal(0, 1.2), 0, 10)),
        proms:
          scheduled && r.chance(0.92)
            ? this.proms(level, tp === 'preop' || tp === '1y' || tp === '2y' || tp === '5y')
            : {},
      });
    }
    return out;
  }

  // A complication found at a visit names it (same case, nearest visit on or after onset).
  private linkVisits(
    caseId: string,
    complications: SyntheticComplication[],
    visits: SyntheticVisit[],
    data: CaseData,
  ): SyntheticComplication[] {
    for (const c of complications) {
      const visit = visits.find((v) => v.visitDate >= c.onsetDate && v.timepoint !== 'preop');
      if (visit && this.random.chance(0.6)) c.followUpId = visit.id;
      const errors = checkComplicationRules(c, {
        surgeryDate: data.surgeryDate,
        today: this.options.until,
        caseId,
        followUpCaseId: c.followUpId ? caseId : null,
      });
      if (errors.length) throw new Error(`generated an invalid complication: ${JSON.stringify(errors)}`);
    }
    return complications;
  }
}
