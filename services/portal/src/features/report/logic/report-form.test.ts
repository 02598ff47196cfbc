import { describe, expect, it } from 'vitest';
import { fieldOf, initialValues, reportResolver, type ReportValues } from './report-form.js';

const valid: ReportValues = {
  title: 'Printer in room 4 prints blank pages',
  description: '',
  category: 'printer_scanner',
  siteId: 'north',
  impact: 'one_user',
  urgency: 'medium',
  patientCareAffected: false,
};

async function check(values: ReportValues) {
  return reportResolver(values, undefined, { fields: {}, shouldUseNativeValidation: false });
}
const messages = (r: Awaited<ReturnType<typeof check>>) => Object.fromEntries(Object.entries(r.errors).map(([k, v]) => [k, v?.message]));

describe('the report form checked by the API body schema', () => {
  it('passes a complete report and gives the body the API takes (trimmed)', async () => {
    const r = await check({ ...valid, title: '  EHR down  ', description: ' at the desk ' });
    expect(r.errors).toEqual({});
    expect(r.values).toEqual({ ...valid, title: 'EHR down', description: 'at the desk' });
  });

  it('puts the schema’s issues on their fields, in the report’s words', async () => {
    const r = await check({ ...valid, title: ' ab ', category: '', siteId: '', description: 'x'.repeat(5001) });
    expect(messages(r)).toEqual({
      title: 'Enter a short summary of at least 3 characters.',
      category: 'Choose the kind of problem.',
      siteId: 'Choose the site where the problem is.',
      description: 'Keep the details to 5000 characters or fewer.',
    });
  });

  it('names a too long summary and unknown choices', async () => {
    const r = await check({ ...valid, title: 'x'.repeat(201), impact: 'everyone' as ReportValues['impact'], urgency: 'now' as ReportValues['urgency'] });
    expect(messages(r)).toEqual({
      title: 'Keep the summary to 200 characters or fewer.',
      impact: 'Choose who is affected.',
      urgency: 'Choose how urgent it is.',
    });
  });
});

describe('server field paths and starting values', () => {
  it('maps the server’s field paths onto the form’s fields', () => {
    expect(fieldOf('body.siteId')).toBe('siteId');
    expect(fieldOf('title')).toBe('title');
    expect(fieldOf('body.unknown')).toBeUndefined();
  });

  it('keeps a remembered draft but only with one of the person’s sites', () => {
    expect(initialValues(['north', 'south'], { title: 'Kept', siteId: 'east' })).toMatchObject({ title: 'Kept', siteId: 'north', impact: 'one_user', urgency: 'medium' });
    expect(initialValues(['north', 'south'], { siteId: 'south' }).siteId).toBe('south');
    expect(initialValues([], { siteId: 'typed' }).siteId).toBe('typed');
  });
});
