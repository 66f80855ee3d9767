export { CaseForm, type CaseFormProps, type CaseIntent } from './CaseForm.js';
export { prepareCaseSubmission, type CaseSubmission } from './case-submission.js';
