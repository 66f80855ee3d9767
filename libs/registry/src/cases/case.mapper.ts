import { bodyMassIndex, type CaseData } from '@ilr/clinical';
import type { CaseColumns, CaseEntity } from '@ilr/persistence';
import type { CaseFields, CaseFieldsPatch } from './dto/case-fields.dto.js';
import type { CaseView } from './dto/case.dto.js';

// Between the API's nested case and the flat row. Pure functions; entities stay in the service.

export function caseDataFromEntity(e: CaseEntity): CaseData {
  return {
    surgeryDate: e.surgeryDate,
    side: e.side,
    indications: e.indications,
    priorIpsilateralSurgery: e.priorIpsilateralSurgery,
    diagnosticInjection: { performed: e.injectionPerformed, response: e.injectionResponse },
    symptomDurationMonths: e.symptomDurationMonths,
    conservativeTreatment: e.conservativeTreatment,
    examination: { snappingReproduced: e.examSnappingReproduced },
    activityLevel: e.activityLevel,
    heightCm: e.heightCm,
    weightKg: e.weightKg,
    imaging: {
      alphaAngle: e.imagingAlphaAngle,
      lateralCenterEdgeAngle: e.imagingLateralCenterEdgeAngle,
      tonnisGrade: e.imagingTonnisGrade,
      dynamicUltrasoundSnapping: e.imagingDynamicUltrasoundSnapping,
      bifidTendonOnMri: e.imagingBifidTendonOnMri,
    },
    anesthesia: e.anesthesia,
    positioning: e.positioning,
    tractionMinutes: e.tractionMinutes,
    operativeMinutes: e.operativeMinutes,
    portals: e.portals,
    portalsOther: e.portalsOther,
    capsulotomy: e.capsulotomy,
    capsularClosure: e.capsularClosure,
    findings: {
      labralTear: e.findingsLabralTear,
      anteriorLabralLesionAtPsoas: e.findingsAnteriorLabralLesionAtPsoas,
      cam: e.findingsCam,
      pincer: e.findingsPincer,
      acetabularCartilageIcrs: e.findingsAcetabularCartilageIcrs,
      femoralCartilageIcrs: e.findingsFemoralCartilageIcrs,
    },
    release: {
      location: e.releaseLocation,
      capsularLevel: e.releaseCapsularLevel,
      technique: e.releaseTechnique,
      tendonBundles: e.releaseTendonBundles,
      allBundlesReleased: e.releaseAllBundlesReleased,
    },
    impingementRepair: { performed: e.impingementPerformed, procedures: e.impingementProcedures },
    hoProphylaxis: e.hoProphylaxis,
    intraoperativeEvents: e.intraoperativeEvents,
    notes: e.notes,
  };
}

const orNull = <T>(value: T | null | undefined): T | null => (value === undefined ? null : value);

// A complete request (POST) as CaseData: an omitted optional field or list is null (not recorded).
export function caseDataFromRequest(r: CaseFields): CaseData {
  return {
    surgeryDate: r.surgeryDate,
    side: r.side,
    indications: r.indications,
    priorIpsilateralSurgery: orNull(r.priorIpsilateralSurgery),
    diagnosticInjection: {
      performed: r.diagnosticInjection.performed,
      response: orNull(r.diagnosticInjection.response),
    },
    symptomDurationMonths: orNull(r.symptomDurationMonths),
    conservativeTreatment: orNull(r.conservativeTreatment),
    examination: { snappingReproduced: orNull(r.examination?.snappingReproduced) },
    activityLevel: orNull(r.activityLevel),
    heightCm: orNull(r.heightCm),
    weightKg: orNull(r.weightKg),
    imaging: {
      alphaAngle: orNull(r.imaging?.alphaAngle),
      lateralCenterEdgeAngle: orNull(r.imaging?.lateralCenterEdgeAngle),
      tonnisGrade: orNull(r.imaging?.tonnisGrade),
      dynamicUltrasoundSnapping: orNull(r.imaging?.dynamicUltrasoundSnapping),
      bifidTendonOnMri: orNull(r.imaging?.bifidTendonOnMri),
    },
    anesthesia: r.anesthesia,
    positioning: r.positioning,
    tractionMinutes: r.tractionMinutes,
    operativeMinutes: r.operativeMinutes,
    portals: r.portals,
    portalsOther: orNull(r.portalsOther),
    capsulotomy: r.capsulotomy,
    capsularClosure: r.capsularClosure,
    findings: {
      labralTear: r.findings.labralTear,
      anteriorLabralLesionAtPsoas: r.findings.anteriorLabralLesionAtPsoas,
      cam: r.findings.cam,
      pincer: r.findings.pincer,
      acetabularCartilageIcrs: orNull(r.findings.acetabularCartilageIcrs),
      femoralCartilageIcrs: orNull(r.findings.femoralCartilageIcrs),
    },
    release: {
      location: r.release.location,
      capsularLevel: orNull(r.release.capsularLevel),
      technique: r.release.technique,
      tendonBundles: r.release.tendonBundles,
      allBundlesReleased: orNull(r.release.allBundlesReleased),
    },
    impingementRepair: { performed: r.impingementRepair.performed, procedures: r.impingementRepair.procedures ?? [] },
    hoProphylaxis: r.hoProphylaxis,
    intraoperativeEvents: orNull(r.intraoperativeEvents),
    notes: orNull(r.notes),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// JSON merge patch (RFC 7396) of a PATCH body onto the stored case: nested objects merge, arrays and
// scalars replace, null clears. Fields the request did not send keep their stored value.
export function mergeCasePatch(current: CaseData, patch: CaseFieldsPatch): CaseData {
  const merge = (target: unknown, changes: unknown): unknown => {
    if (!isObject(changes)) return changes;
    const base = isObject(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      base[key] = isObject(value) ? merge(base[key], value) : value;
    }
    return base;
  };
  const merged = merge(current, { ...patch }) as CaseData;
  // A cleared procedure list is an empty list (it follows impingementRepair.performed); the other
  // optional lists keep null, "not recorded", apart from an empty list, "none".
  merged.impingementRepair.procedures ??= [];
  return merged;
}

export function caseColumnsFromData(d: CaseData): Omit<CaseColumns, 'patientId' | 'surgeonId' | 'createdBy'> {
  return {
    surgeryDate: d.surgeryDate,
    side: d.side,
    indications: d.indications,
    priorIpsilateralSurgery: d.priorIpsilateralSurgery,
    injectionPerformed: d.diagnosticInjection.performed,
    injectionResponse: orNull(d.diagnosticInjection.response),
    symptomDurationMonths: orNull(d.symptomDurationMonths),
    conservativeTreatment: d.conservativeTreatment,
    examSnappingReproduced: orNull(d.examination?.snappingReproduced),
    activityLevel: orNull(d.activityLevel),
    heightCm: orNull(d.heightCm),
    weightKg: orNull(d.weightKg),
    imagingAlphaAngle: orNull(d.imaging?.alphaAngle),
    imagingLateralCenterEdgeAngle: orNull(d.imaging?.lateralCenterEdgeAngle),
    imagingTonnisGrade: orNull(d.imaging?.tonnisGrade),
    imagingDynamicUltrasoundSnapping: orNull(d.imaging?.dynamicUltrasoundSnapping),
    imagingBifidTendonOnMri: orNull(d.imaging?.bifidTendonOnMri),
    anesthesia: d.anesthesia,
    positioning: d.positioning,
    tractionMinutes: d.tractionMinutes,
    operativeMinutes: d.operativeMinutes,
    portals: d.portals,
    portalsOther: orNull(d.portalsOther),
    capsulotomy: d.capsulotomy,
    capsularClosure: d.capsularClosure,
    findingsLabralTear: d.findings.labralTear,
    findingsAnteriorLabralLesionAtPsoas: d.findings.anteriorLabralLesionAtPsoas,
    findingsCam: d.findings.cam,
    findingsPincer: d.findings.pincer,
    findingsAcetabularCartilageIcrs: orNull(d.findings.acetabularCartilageIcrs),
    findingsFemoralCartilageIcrs: orNull(d.findings.femoralCartilageIcrs),
    releaseLocation: d.release.location,
    releaseCapsularLevel: orNull(d.release.capsularLevel),
    releaseTechnique: d.release.technique,
    releaseTendonBundles: d.release.tendonBundles,
    releaseAllBundlesReleased: orNull(d.release.allBundlesReleased),
    impingementPerformed: d.impingementRepair.performed,
    impingementProcedures: d.impingementRepair.procedures,
    hoProphylaxis: d.hoProphylaxis,
    intraoperativeEvents: d.intraoperativeEvents,
    notes: orNull(d.notes),
  };
}

// The case as a reader sees it. `freeText: false` (de-identified readers) drops notes and portalsOther.
export function toCaseResponse(e: CaseEntity, options: { freeText: boolean }): CaseView {
  const data = caseDataFromEntity(e);
  if (!options.freeText) {
    delete data.notes;
    delete data.portalsOther;
  }
  return {
    id: e.id,
    registryCode: e.registryCode,
    patientId: e.patientId,
    surgeonId: e.surgeonId,
    status: e.status,
    version: e.version,
    ...data,
    bmi: bodyMassIndex(e.heightCm, e.weightKg),
    signedAt: e.signedAt?.toISOString() ?? null,
    signedBy: e.signedBy,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

// Field-level differences between two versions of a case, as JSON paths (`release.location`).
export function diffCaseData(before: CaseData, after: CaseData): Array<{ field: string; from: unknown; to: unknown }> {
  const changes: Array<{ field: string; from: unknown; to: unknown }> = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (isObject(a) || isObject(b)) {
      const keys = new Set([...Object.keys(isObject(a) ? a : {}), ...Object.keys(isObject(b) ? b : {})]);
      for (const key of keys)
        walk(isObject(a) ? a[key] : undefined, isObject(b) ? b[key] : undefined, path ? `${path}.${key}` : key);
      return;
    }
    const from = a ?? null;
    const to = b ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field: path, from, to });
  };
  walk(before, after, '');
  return changes;
}
