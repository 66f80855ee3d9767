import {
  INVITED_TIMEPOINTS,
  invitationWindow,
  nextReminderOn,
  operationMonth,
  QUESTIONNAIRE_INSTRUMENTS,
  questionnaireShortfall,
} from './questionnaires.js';

describe('questionnaire schedule', () => {
  it('opens and closes each invitation with its timepoint window', () => {
    expect(invitationWindow('2025-03-10', '6w')).toEqual({ opensOn: '2025-04-07', closesOn: '2025-05-18' });
    expect(invitationWindow('2024-02-29', '1y')).toEqual({ opensOn: '2024-11-25', closesOn: '2025-08-27' });
  });

  it('asks for HOS and NAHS only from 6 months', () => {
    expect(QUESTIONNAIRE_INSTRUMENTS['6w']).toEqual(['mhhs', 'ihot12', 'eq5d5l']);
    expect(QUESTIONNAIRE_INSTRUMENTS['6m']).toContain('nahs');
    expect(INVITED_TIMEPOINTS).not.toContain('preop');
  });

  it('sends at most two reminders, 7 and 14 days after the invitation', () => {
    expect(nextReminderOn('2025-04-07', 0)).toBe('2025-04-14');
    expect(nextReminderOn('2025-04-07', 1)).toBe('2025-04-21');
    expect(nextReminderOn('2025-04-07', 2)).toBeNull();
  });

  it('names the operation by month and year only', () => {
    expect(operationMonth('2025-03-10')).toBe('March 2025');
    expect(operationMonth('2024-12-31')).toBe('December 2024');
  });
});

describe(questionnaireShortfall.name, () => {
  it('takes answers the scoring code can score', () => {
    expect(questionnaireShortfall('ihot12', [...Array(10).fill(50), null, null])).toBeNull();
    expect(
      questionnaireShortfall('eq5d5l', {
        mobility: 1,
        selfCare: 1,
        usualActivities: 2,
        painDiscomfort: 2,
        anxietyDepression: 1,
        vas: 80,
      }),
    ).toBeNull();
  });

  it('says what is missing otherwise', () => {
    expect(questionnaireShortfall('ihot12', [...Array(9).fill(50), null, null, null])).toBe(
      'at least 10 of 12 questions are needed (9 answered)',
    );
    expect(questionnaireShortfall('mhhs', { pain: 'none' })).toBe('all 8 questions are needed (1 answered)');
    expect(questionnaireShortfall('hosAdl', undefined)).toBe('at least 14 of 17 questions are needed (0 answered)');
    expect(questionnaireShortfall('eq5d5l', { mobility: 1, vas: 50 })).toBe(
      'all five questions and the health scale are needed (4 missing)',
    );
  });
});
