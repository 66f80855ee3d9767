import {
  ACTIVITY_LEVEL,
  ANESTHESIA,
  CAPSULAR_LEVEL,
  CAPSULOTOMY,
  CONSERVATIVE_TREATMENT,
  HO_PROPHYLAXIS,
  IMPINGEMENT_PROCEDURE,
  INDICATION,
  INJECTION_RESPONSE,
  INTRAOPERATIVE_EVENT,
  PORTAL,
  POSITIONING,
  PRIOR_SURGERY,
  RELEASE_LOCATION,
  RELEASE_TECHNIQUE,
  SIDE,
  type ActivityLevel,
  type Anesthesia,
  type CapsularLevel,
  type Capsulotomy,
  type ConservativeTreatment,
  type HoProphylaxis,
  type ImpingementProcedure,
  type Indication,
  type InjectionResponse,
  type IntraoperativeEvent,
  type Portal,
  type Positioning,
  type PriorSurgery,
  type ReleaseLocation,
  type ReleaseTechnique,
  type Side,
} from '@ilr/clinical';
import { Field } from '../../common/validation.js';

// The DOMAIN.md § Case fields, declared once and built twice: complete (POST: required fields
// required) and partial (PATCH: everything optional, nested objects merged into the stored case).
// Optional clinical fields accept null, which clears them on PATCH.
type Class<T> = new () => T;

function named<T>(cls: Class<T>, name: string): Class<T> {
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

function build(partial: boolean) {
  const req = { optional: partial };
  const opt = { optional: true, nullable: true };
  const suffix = partial ? 'Patch' : '';

  class DiagnosticInjection {
    @Field.boolean(req) performed: boolean;
    @Field.code(INJECTION_RESPONSE.codes, {
      ...opt,
      enumName: 'InjectionResponse',
      description: 'Required iff performed',
    })
    response?: InjectionResponse | null;
  }

  class Examination {
    @Field.boolean({ ...opt, description: 'Whether the examination manoeuvres reproduced the snap' })
    snappingReproduced?: boolean | null;
  }

  class Imaging {
    @Field.number({ ...opt, min: 20, max: 120, description: 'degrees' }) alphaAngle?: number | null;
    @Field.number({ ...opt, min: -20, max: 60, description: 'degrees' }) lateralCenterEdgeAngle?: number | null;
    @Field.int({ ...opt, min: 0, max: 3 }) tonnisGrade?: number | null;
    @Field.boolean(opt) dynamicUltrasoundSnapping?: boolean | null;
    @Field.boolean(opt) bifidTendonOnMri?: boolean | null;
  }

  class Findings {
    @Field.boolean(req) labralTear: boolean;
    @Field.boolean({ ...req, description: 'The "3 o\'clock" lesion: the iliopsoas impingement sign' })
    anteriorLabralLesionAtPsoas: boolean;
    @Field.boolean(req) cam: boolean;
    @Field.boolean(req) pincer: boolean;
    @Field.int({ ...opt, min: 0, max: 4 }) acetabularCartilageIcrs?: number | null;
    @Field.int({ ...opt, min: 0, max: 4 }) femoralCartilageIcrs?: number | null;
  }

  class Release {
    @Field.code(RELEASE_LOCATION.codes, { ...req, enumName: 'ReleaseLocation' }) location: ReleaseLocation;
    @Field.code(CAPSULAR_LEVEL.codes, {
      ...opt,
      enumName: 'CapsularLevel',
      description: 'Required iff location is capsular',
    })
    capsularLevel?: CapsularLevel | null;
    @Field.code(RELEASE_TECHNIQUE.codes, { ...req, enumName: 'ReleaseTechnique' }) technique: ReleaseTechnique;
    @Field.int({ ...req, min: 1, max: 3, description: 'bifid = 2, trifid = 3' }) tendonBundles: number;
    @Field.boolean({ ...opt, description: 'Required when tendonBundles > 1' }) allBundlesReleased?: boolean | null;
  }

  class ImpingementRepair {
    @Field.boolean(req) performed: boolean;
    @Field.codes(IMPINGEMENT_PROCEDURE.codes, {
      optional: true,
      enumName: 'ImpingementProcedure',
      description: 'Non-empty iff performed; at most one labral procedure',
    })
    procedures?: ImpingementProcedure[];
  }

  class CaseFields {
    @Field.date({ ...req, description: 'Not in the future, not before 2000-01-01' }) surgeryDate: string;
    @Field.code(SIDE.codes, { ...req, enumName: 'Side' }) side: Side;
    @Field.codes(INDICATION.codes, { ...req, minItems: 1, enumName: 'Indication' }) indications: Indication[];
    @Field.codes(PRIOR_SURGERY.codes, {
      ...opt,
      enumName: 'PriorIpsilateralSurgery',
      description: 'null or omitted: not recorded; []: none',
    })
    priorIpsilateralSurgery?: PriorSurgery[] | null;
    @Field.nested(() => named(DiagnosticInjection, `DiagnosticInjection${suffix}`), req)
    diagnosticInjection: DiagnosticInjection;
    @Field.int({ ...opt, min: 0, max: 600 }) symptomDurationMonths?: number | null;
    @Field.codes(CONSERVATIVE_TREATMENT.codes, {
      ...opt,
      enumName: 'ConservativeTreatment',
      description: 'null or omitted: not recorded; []: none',
    })
    conservativeTreatment?: ConservativeTreatment[] | null;
    @Field.nested(() => named(Examination, `Examination${suffix}`), opt) examination?: Examination | null;
    @Field.code(ACTIVITY_LEVEL.codes, { ...opt, enumName: 'ActivityLevel' }) activityLevel?: ActivityLevel | null;
    @Field.number({ ...opt, min: 100, max: 230 }) heightCm?: number | null;
    @Field.number({ ...opt, min: 30, max: 250 }) weightKg?: number | null;
    @Field.nested(() => named(Imaging, `Imaging${suffix}`), opt) imaging?: Imaging | null;
    @Field.code(ANESTHESIA.codes, { ...req, enumName: 'Anesthesia' }) anesthesia: Anesthesia;
    @Field.code(POSITIONING.codes, { ...req, enumName: 'Positioning' }) positioning: Positioning;
    @Field.int({ ...req, min: 0, max: 240, description: '0 = no traction' }) tractionMinutes: number;
    @Field.int({ ...req, min: 5, max: 600, description: 'At least tractionMinutes' }) operativeMinutes: number;
    @Field.codes(PORTAL.codes, { ...req, minItems: 1, enumName: 'Portal' }) portals: Portal[];
    @Field.string({ ...opt, minLength: 1, maxLength: 200, description: "Required with the portal 'other'; free text" })
    portalsOther?: string | null;
    @Field.code(CAPSULOTOMY.codes, { ...req, enumName: 'Capsulotomy' }) capsulotomy: Capsulotomy;
    @Field.boolean({ ...req, description: "Must be false when capsulotomy is 'none'" }) capsularClosure: boolean;
    @Field.nested(() => named(Findings, `Findings${suffix}`), req) findings: Findings;
    @Field.nested(() => named(Release, `Release${suffix}`), req) release: Release;
    @Field.nested(() => named(ImpingementRepair, `ImpingementRepair${suffix}`), req)
    impingementRepair: ImpingementRepair;
    @Field.code(HO_PROPHYLAXIS.codes, { ...req, enumName: 'HoProphylaxis' }) hoProphylaxis: HoProphylaxis;
    @Field.codes(INTRAOPERATIVE_EVENT.codes, {
      ...opt,
      enumName: 'IntraoperativeEvent',
      description: 'null or omitted: not recorded; []: none',
    })
    intraoperativeEvents?: IntraoperativeEvent[] | null;
    @Field.string({ ...opt, maxLength: 4000, description: 'Free text: never exported de-identified' }) notes?:
      string | null;
  }
  return named(CaseFields, `CaseFields${suffix}`);
}

export const CaseFields = build(false);
export type CaseFields = InstanceType<typeof CaseFields>;
export const CaseFieldsPatch = build(true);
export type CaseFieldsPatch = InstanceType<typeof CaseFieldsPatch>;
