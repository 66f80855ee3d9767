// Placeholder while this page is built (step 9); replaced before the step is done.
export function NewComplicationPage() {
  return null;
}
