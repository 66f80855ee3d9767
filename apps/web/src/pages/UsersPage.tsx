// Placeholder while this page is built (step 10); replaced before the step is done.
export function UsersPage() {
  return null;
}
