import { describe, expect, it } from 'vitest';
import type { FieldErrors } from 'react-hook-form';
import { errorsUnder, messagesAt, setServerErrors } from './forms.js';

describe('form helpers', () => {
  it("sets the server's field errors on the form's fields (the first per field) and returns the rest", () => {
    const set: [string, string | undefined][] = [];
    const unplaced = setServerErrors(
      (name, error) => set.push([name, error.message]),
      [
        { path: 'body.title', message: 'too short' },
        { path: 'title', message: 'second one' },
        { path: 'secret', message: 'no such field' },
      ],
      (path) => {
        const last = path.split('.').pop();
        return last === 'title' ? 'title' : undefined;
      },
    );
    expect(set).toEqual([['title', 'too short']]);
    expect(unplaced).toEqual([{ path: 'secret', message: 'no such field' }]);
  });

  it('collects the messages at and below a field, skipping element refs', () => {
    const errors = {
      rules: [
        { message: 'duplicate rule', type: 'server', ref: { message: 'not an error' } },
        { requiredSkills: { message: 'must not repeat a skill', type: 'custom', 1: { message: 'bad skill', type: 'invalid_format' } } },
      ],
    } as unknown as FieldErrors;
    expect(errorsUnder(errors, 'rules')).toEqual([
      { path: 'rules.0', message: 'duplicate rule' },
      { path: 'rules.1.requiredSkills', message: 'must not repeat a skill' },
      { path: 'rules.1.requiredSkills.1', message: 'bad skill' },
    ]);
    expect(messagesAt(errors, 'rules.1.requiredSkills')).toEqual(['must not repeat a skill', 'bad skill']);
    expect(messagesAt(errors, 'rules.2')).toEqual([]);
  });
});
