import { describe, expect, it } from 'vitest';
import { TIMEPOINT_LABELS } from './visit-labels.js';
import {
  agoWords,
  type DataQualityReport,
  draftRows,
  forSurgeon,
  missingRows,
  missingWords,
  overdueInvitationWords,
  overdueRows,
  surgeonOptions,
} from './work-lists.js';
import { surgeonNamer } from './surgeons.js';

const S1 = '00000000-0000-4000-8000-0000000000b1';
const S2 = '00000000-0000-4000-8000-0000000000a2';

const report: DataQualityReport = {
  filters: {},
  generatedAt: '2026-12-02T01:00:00.000Z',
  today: '2026-12-02',
  definitions: {},
  consent: {
    consentedOnly: false,
    cases: 3,
    byConsent: {},
    withoutConsent: 0,
    rule: '',
  } as DataQualityReport['consent'],
  overdue: [
    {
      caseId: 'c1',
      registryCode: 'ILR-000001',
      surgeonId: S1,
      surgeonLabel: 'Dr B',
      surgeryDate: '2026-09-01',
      timepoint: '6w',
      windowClosed: '2026-11-29',
      invitation: { status: 'expired', outstanding: false, sentAt: '2026-10-14T08:00:00Z', remindersSent: 2 },
    },
    {
      caseId: 'c2',
      registryCode: 'ILR-000002',
      surgeonId: S2,
      surgeonLabel: 'Dr A',
      surgeryDate: '2026-01-05',
      timepoint: '6m',
      windowClosed: '2026-08-01',
      invitation: null,
    },
  ],
  unsignedDrafts: [
    {
      caseId: 'c3',
      registryCode: 'ILR-000003',
      surgeonId: S2,
      surgeonLabel: 'Dr A',
      surgeryDate: '2026-10-01',
      createdAt: '2026-10-02T09:30:00.000Z',
      daysUnsigned: 61,
    },
  ],
  missingData: [
    {
      caseId: 'c1',
      registryCode: 'ILR-000001',
      surgeonId: S1,
      surgeonLabel: 'Dr B',
      followUpId: 'f1',
      visitDate: '2026-10-10',
      timepoint: '6w',
      missing: ['snapping', 'proms.mhhs'],
    },
  ],
};

describe('the surgeon filter', () => {
  it('offers each surgeon of any list once, by name', () => {
    const nameOf = surgeonNamer(
      [],
      new Map([
        [S1, 'Dr B'],
        [S2, 'Dr A'],
      ]),
    );
    expect(surgeonOptions(report, nameOf)).toEqual([
      { value: S2, label: 'Dr A' },
      { value: S1, label: 'Dr B' },
    ]);
  });

  it("keeps one surgeon's rows in every list, and everyone's without a choice", () => {
    const mine = forSurgeon(report, S1);
    expect(mine.overdue.map((r) => r.caseId)).toEqual(['c1']);
    expect(mine.unsignedDrafts).toEqual([]);
    expect(mine.missingData.map((r) => r.followUpId)).toEqual(['f1']);
    expect(forSurgeon(report, '')).toBe(report);
    expect(forSurgeon(report, null)).toBe(report);
  });
});

describe('rows in words', () => {
  const nameOf = surgeonNamer(
    [],
    new Map([
      [S1, 'Dr B'],
      [S2, 'Dr A'],
    ]),
  );

  it('overdue: the timepoint in words and since when its window is closed', () => {
    const rows = overdueRows(report.overdue, report.today, nameOf);
    expect(rows[0]).toMatchObject({
      caseId: 'c1',
      registryCode: 'ILR-000001',
      surgeon: 'Dr B',
      timepoint: TIMEPOINT_LABELS['6w'],
      surgery: '1 September 2026',
      windowClosed: '29 November 2026 (3 days ago)',
    });
    expect(rows[1].windowClosed).toBe('1 August 2026 (4 months ago)');
    expect(rows[0].questionnaire).toBe('Expired without an answer; mailed 49 days ago, 2 reminders');
    expect(rows[1].questionnaire).toBe('No questionnaire');
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('unsigned drafts: when logged and for how long', () => {
    expect(draftRows(report.unsignedDrafts, nameOf)).toEqual([
      {
        key: 'c3',
        caseId: 'c3',
        registryCode: 'ILR-000003',
        surgeon: 'Dr A',
        surgery: '1 October 2026',
        logged: '2 October 2026',
        unsignedFor: '61 days',
      },
    ]);
  });

  it('missing data: the visit and what it lacks, in words', () => {
    const [row] = missingRows(report.missingData, nameOf);
    expect(row.visit).toBe(`${TIMEPOINT_LABELS['6w']} visit on 10 October 2026`);
    expect(row.missing).toBe(`${missingWords('snapping')}, ${missingWords('proms.mhhs')}`);
    expect(row.missing).not.toMatch(/proms\.|groinPain|mhhs\b/);
    expect(missingWords('groinPain')).toMatch(/^Groin pain/);
    expect(missingWords('proms.ihot12')).toMatch(/^a scored iHOT/);
  });

  it('says how long ago a date was', () => {
    expect(agoWords('2026-12-02', '2026-12-02')).toBe('today');
    expect(agoWords('2026-12-01', '2026-12-02')).toBe('yesterday');
    expect(agoWords('2026-10-01', '2026-12-02')).toBe('2 months ago');
    expect(agoWords('2023-12-01', '2026-12-02')).toBe('3 years ago');
  });

  it("words an overdue timepoint's invitation: not sent, sent with its reminders", () => {
    expect(overdueInvitationWords(null, '2026-12-02')).toBe('No questionnaire');
    expect(
      overdueInvitationWords({ status: 'scheduled', outstanding: true, sentAt: null, remindersSent: 0 }, '2026-12-02'),
    ).toBe('Scheduled');
    expect(
      overdueInvitationWords(
        { status: 'reminded', outstanding: true, sentAt: '2026-11-25T09:00:00Z', remindersSent: 1 },
        '2026-12-02',
      ),
    ).toBe('Reminded, not answered yet; mailed 7 days ago, 1 reminder');
  });
});
