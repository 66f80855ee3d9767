// The form rendered to HTML with react-dom/server (no DOM library is installed): which controls
// appear for which values, and that each control has a visible label. Typing and focus are for the
// browser tests in Chromium.
import { MantineProvider } from '@mantine/core';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CaseFormValues } from '../../logic/case-form-values.js';
import { completeCaseValues } from '../../logic/testing/case-values.js';
import { schemaOf, schemaProperties } from '../../logic/testing/openapi.js';
import { CaseForm } from './CaseForm.js';
import { fieldId } from './controls.js';

function render(values?: Partial<CaseFormValues>, serverErrors = {}) {
  return renderToStaticMarkup(
    <MantineProvider>
      <CaseForm
        defaultValues={values}
        onSubmit={() => undefined}
        serverErrors={serverErrors}
        drafts={null}
        today="2026-06-01"
      />
    </MantineProvider>,
  );
}

const has = (html: string, path: string) => html.includes(`id="${fieldId(path)}"`);

// The leaf fields of a request schema, following $refs into nested objects.
function leaves(schemaName: string, prefix = ''): string[] {
  return Object.entries(schemaProperties(schemaName)).flatMap(([name, property]) => {
    const p = property as { $ref?: string; anyOf?: { $ref?: string }[] };
    const nested = [p.$ref, ...(p.anyOf ?? []).map((a) => a.$ref)]
      .filter((ref): ref is string => !!ref)
      .map((ref) => ref.split('/').pop()!)
      .find((n) => schemaOf(n).type === 'object' && schemaOf(n).properties);
    return nested ? leaves(nested, `${prefix}${name}.`) : [`${prefix}${name}`];
  });
}

describe('CaseForm', () => {
  it('has a control for every field of CreateCaseRequest', () => {
    // surgeonId is for registry staff logging a case for a surgeon (step 10); a surgeon's case is their own.
    const fields = leaves('CreateCaseRequest').filter((path) => path !== 'surgeonId');
    const inline = render(completeCaseValues({ portals: ['other'], release: { tendonBundles: 2 } }));
    const existing = render(completeCaseValues({ patientMode: 'existing' }));
    const missing = fields.filter((path) => !has(inline, path) && !has(existing, path));
    expect(missing).toEqual([]);
    expect(fields.length).toBeGreaterThan(40);
  });

  it('shows the conditional fields only when they apply', () => {
    const empty = render();
    for (const path of [
      'release.capsularLevel',
      'release.allBundlesReleased',
      'diagnosticInjection.response',
      'portalsOther',
      'impingementRepair.procedures',
      'capsularClosure',
      'patientId',
    ]) {
      expect(has(empty, path), path).toBe(false);
    }
    const full = render(completeCaseValues({ portals: ['other'], release: { tendonBundles: 2 } }));
    for (const path of [
      'release.capsularLevel',
      'release.allBundlesReleased',
      'diagnosticInjection.response',
      'portalsOther',
      'impingementRepair.procedures',
      'capsularClosure',
    ]) {
      expect(has(full, path), path).toBe(true);
    }
    expect(has(render(completeCaseValues({ patientMode: 'existing' })), 'patientId')).toBe(true);
  });

  it('gives every input a label, and shows no raw code', () => {
    const html = render(completeCaseValues({ portals: ['other'], release: { tendonBundles: 2 } }));
    const inputs = [...html.matchAll(/<(input|textarea)\b[^>]*>/g)]
      .map((m) => m[0])
      .filter((tag) => !/type="hidden"/.test(tag));
    expect(inputs.length).toBeGreaterThan(40);
    for (const tag of inputs) {
      const id = /\bid="([^"]+)"/.exec(tag)?.[1];
      const labelled = /aria-label(ledby)?="/.test(tag) || (id !== undefined && html.includes(`for="${id}"`));
      expect(labelled, tag).toBe(true);
    }
    const text = html.replace(/<[^>]+>/g, ' ');
    for (const code of [
      'internal_snapping_hip',
      'mid_anterior',
      'central_compartment',
      'fractional_lengthening',
      'labral_repair',
    ]) {
      expect(text).not.toContain(code);
    }
    expect(text).toContain('Internal snapping hip');
    expect(text).toContain('Mid-anterior');
  });

  it("shows the server's field errors at their fields", () => {
    const html = render(completeCaseValues(), {
      'release.capsularLevel': 'Capsular level is required for a capsular release.',
    });
    const control = html.indexOf(`id="${fieldId('release.capsularLevel')}"`);
    const message = html.indexOf('Capsular level is required for a capsular release.');
    expect(control).toBeGreaterThan(-1);
    expect(message).toBeGreaterThan(control);
    expect(html).toContain('The case was not saved');
  });
});

describe('the case form for a stored case (edit mode)', () => {
  const renderEdit = (values: Partial<CaseFormValues>) =>
    renderToStaticMarkup(
      <MantineProvider>
        <CaseForm
          mode="edit"
          title="Amend case ILR-000001"
          defaultValues={values}
          onSubmit={() => undefined}
          drafts={null}
          today="2026-06-01"
          extraFields={<p>the page's own field</p>}
        />
      </MantineProvider>,
    );

  it('keeps the patient, offers one save button and shows the page’s own fields', () => {
    const values = completeCaseValues({ patientMode: 'existing', patientId: 'b1c2d3e4-0000-4000-8000-000000000001' });
    const html = renderEdit(values);
    expect(html).toContain('aria-label="Amend case ILR-000001"');
    expect(has(html, 'patient.mrn')).toBe(false);
    expect(has(html, 'patientId')).toBe(false);
    expect(has(html, 'patientMode')).toBe(false);
    expect(html).toContain('b1c2d3e4-0000-4000-8000-000000000001');
    expect(html).toContain('Save changes');
    expect(html).not.toContain('Save and sign');
    expect(html).toContain('the page&#x27;s own field');
    // Pre-filled: the stored values are in the controls.
    expect(html).toContain('value="Central compartment"');
  });
});
