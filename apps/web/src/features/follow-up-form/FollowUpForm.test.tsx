// The follow-up form rendered to HTML with react-dom/server (as CaseForm.test.tsx): a control for every field of
// CreateFollowUpRequest and for every item of every instrument, labelled in the instrument's words.
import { MantineProvider } from '@mantine/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HOS_ADL_ITEMS, IHOT12_ITEMS, INSTRUMENTS, MHHS_WORDING, NAHS_ITEMS } from '@ilr/clinical';
import { FOLLOW_UP_FORM_FIELDS } from '../../logic/follow-up-form-values.js';
import { schemaProperties } from '../../logic/testing/openapi.js';
import { fieldId } from '../case-form/controls.js';
import { FollowUpForm } from './FollowUpForm.js';

function render(serverErrors = {}, open = true) {
  return renderToStaticMarkup(
    <MantineProvider>
      <FollowUpForm
        surgeryDate="2026-01-10"
        onSubmit={() => undefined}
        serverErrors={serverErrors}
        drafts={null}
        today="2026-06-01"
        draftRoute="/cases/c1/follow-ups/new"
        openInstruments={open ? INSTRUMENTS : []}
      />
    </MantineProvider>,
  );
}

const has = (html: string, path: string) => html.includes(`id="${fieldId(path)}"`);
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

describe('FollowUpForm', () => {
  it('has a control for every visit field of CreateFollowUpRequest and every PROM item', () => {
    const html = render();
    const visitFields = Object.keys(schemaProperties('CreateFollowUpRequest')).filter((f) => f !== 'proms');
    expect(visitFields.filter((path) => !has(html, path))).toEqual([]);
    const items = [...FOLLOW_UP_FORM_FIELDS].filter((path) => /^proms\.\w+\.\w+$/.test(path));
    expect(items).toHaveLength(8 + 12 + 17 + 9 + 20 + 6);
    expect(items.filter((path) => !has(html, path))).toEqual([]);
  });

  it("labels the items in the instrument's words", () => {
    const html = render();
    for (const text of [
      `1. ${MHHS_WORDING.pain.text}`,
      MHHS_WORDING.pain.answers.none,
      `12. ${IHOT12_ITEMS[11].text}`,
      `17. ${HOS_ADL_ITEMS[16]}`,
      'Not applicable',
      `20. ${NAHS_ITEMS[19].text}`,
      'I am unable to walk about',
    ])
      expect(html).toContain(escaped(text));
    expect(html).toContain('Timepoint: shown once the visit date is typed');
  });

  it('shows a server error at its item', () => {
    // Its section opens even when closed before.
    const html = render({ 'proms.nahs.3': 'NAHS item 4 is not valid.' }, false);
    expect(html).toContain('NAHS item 4 is not valid.');
    expect(html).toContain('The follow-up was not saved');
  });
});
