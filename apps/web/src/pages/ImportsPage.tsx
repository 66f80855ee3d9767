// Imports of historical spreadsheets (registry staff, admin): built in step 11.
import { Title } from '@mantine/core';

export function ImportsPage() {
  return <Title order={1}>Imports</Title>;
}
