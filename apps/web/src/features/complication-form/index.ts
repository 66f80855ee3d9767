export { ComplicationForm, type ComplicationFormProps } from './ComplicationForm.js';
