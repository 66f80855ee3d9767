export { FollowUpForm, type FollowUpFormProps } from './FollowUpForm.js';
export { FollowUpScores } from './FollowUpScores.js';
