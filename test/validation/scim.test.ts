import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { validateScimMembers } from '../../src/sdk/validation/scim.js';
import { recordsFromStream, type RecordFormat } from '../../src/sdk/validation/source.js';

function validate(text: string, format: RecordFormat = 'csv') {
  return validateScimMembers(recordsFromStream(Readable.from([text]), format));
}
const ndjson = (...rows: object[]) => validate(rows.map((r) => JSON.stringify(r)).join('\n'), 'ndjson');

const HEADER = 'userName,emails,externalId,givenName,familyName';

describe('validateScimMembers (CSV)', () => {
  it('accepts valid members, several ;-separated emails, optional columns', async () => {
    const text = `${HEADER}\r\njdoe,jane@example.com; j.doe@example.org,E1,Jane,Doe\r\nbsmith,bob@example.com,,,\r\n`;
    expect(await validate(text)).toEqual({ count: 2, problems: [], problemCount: 0 });
    expect(await validate('userName,emails\nx,x@example.com\n')).toMatchObject({ problemCount: 0 });
  });

  it('userName is required', async () => {
    const result = await validate(`${HEADER}\n,a@example.com,,,\n`);
    expect(result.problems).toEqual([{ line: 2, field: 'userName', message: 'is required' }]);
  });

  it('userName must not contain spaces', async () => {
    const result = await validate(`${HEADER}\nj doe,a@example.com,,,\n`);
    expect(result.problems).toEqual([{ line: 2, field: 'userName', message: expect.stringMatching(/spaces/) }]);
  });

  it('userName duplicates (case-insensitive) name both lines', async () => {
    const result = await validate(`${HEADER}\njdoe,a@example.com,,,\nother,b@example.com,,,\nJDoe,c@example.com,,,\n`);
    expect(result.problems).toEqual([{ line: 4, field: 'userName', message: 'duplicate userName "JDoe" (first on line 2)' }]);
  });

  it('externalId is optional but unique when present', async () => {
    const ok = await validate(`${HEADER}\na,a@example.com,,,\nb,b@example.com,,,\n`);
    expect(ok.problemCount).toBe(0);
    const dup = await validate(`${HEADER}\na,a@example.com,X1,,\nb,b@example.com,X1,,\n`);
    expect(dup.problems).toEqual([{ line: 3, field: 'externalId', message: 'duplicate externalId "X1" (first on line 2)' }]);
  });

  it('every email must be valid, and at least one is required', async () => {
    const result = await validate(`${HEADER}\na,a@example.com;not-an-email,,,\nb,,,,\n`);
    expect(result.problems).toEqual([
      { line: 2, field: 'emails', message: '"not-an-email" is not a valid email address' },
      { line: 3, field: 'emails', message: 'at least one email is required' },
    ]);
  });

  it('missing required columns are reported once at the header; unknown columns too', async () => {
    const result = await validate('emails,nickname\na@example.com,A\nb@example.com,B\n');
    expect(result.problems).toEqual([
      { line: 1, field: 'nickname', message: expect.stringMatching(/^unknown column/) },
      { line: 1, field: 'userName', message: 'required column is missing from the header' },
    ]);
  });
});

describe('validateScimMembers (NDJSON)', () => {
  it('accepts emails as a string, an array of strings, or SCIM [{value}]', async () => {
    const result = await ndjson(
      { userName: 'a', emails: 'a@example.com' },
      { userName: 'b', emails: ['b@example.com', 'b2@example.com'] },
      { userName: 'c', emails: [{ value: 'c@example.com', primary: true }], externalId: 'C' },
    );
    expect(result).toEqual({ count: 3, problems: [], problemCount: 0 });
  });

  it('rejects wrong shapes and bad JSON lines with their line', async () => {
    const text = [
      JSON.stringify({ userName: 5, emails: 'a@example.com' }),
      JSON.stringify({ userName: 'b', emails: [{ type: 'work' }] }),
      '{"userName": "c", ',
      JSON.stringify({ userName: 'd', emails: 'd@example.com', nick: 'D' }),
    ].join('\n');
    const result = await validate(text, 'ndjson');
    expect(result.problems).toEqual([
      { line: 1, field: 'userName', message: 'must be a string (got number)' },
      { line: 2, field: 'emails', message: 'each email must be a string or an object with a string "value"' },
      { line: 3, message: expect.stringMatching(/^invalid JSON/) },
      { line: 4, field: 'nick', message: expect.stringMatching(/unknown field/) },
    ]);
  });
});
