// The saved visit: its timepoint and the scores the server computed, instrument by instrument.
import { Table, Text } from '@mantine/core';
import { dayWords, type FollowUpResponse, promResultRows } from '../../logic/follow-up-form-values.js';
import { TIMEPOINT_LABELS } from '../../logic/visit-labels.js';

export function FollowUpScores({ visit }: { visit: FollowUpResponse }) {
  const rows = promResultRows(visit.proms);
  return (
    <>
      <Text data-testid="saved-timepoint">
        Visit on {visit.visitDate}: {TIMEPOINT_LABELS[visit.timepoint]} ({dayWords(visit.day)}).
      </Text>
      {rows.length === 0 ? (
        <Text size="sm">No questionnaire was recorded at this visit.</Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label="Scores" captionSide="top">
            <Table.Caption>Scores computed by the registry (0–100, higher is better)</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Instrument</Table.Th>
                <Table.Th scope="col">Score</Table.Th>
                <Table.Th scope="col">Items answered</Table.Th>
                <Table.Th scope="col">Note</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.instrument} data-instrument={row.instrument}>
                  <Table.Th scope="row">{row.name}</Table.Th>
                  <Table.Td>{row.score ?? '—'}</Table.Td>
                  <Table.Td>
                    {row.answered} of {row.items}
                  </Table.Td>
                  <Table.Td>{row.note ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
