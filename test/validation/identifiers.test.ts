import { describe, it, expect } from 'vitest';
import {
  validateTrifid,
  validateCasNumber,
  validateLei,
  computeLeiCheckDigits,
  validateEin,
  normalizeEin,
  validateYear,
} from '../../src/sdk/validation/identifiers.js';

describe('validateTrifid', () => {
  it('accepts ZIP + 5 name chars + 5 address chars, uppercase', () => {
    expect(validateTrifid('77536SHLLCHWY22')).toBeNull();
    expect(validateTrifid('0061712345ABCDE')).toBeNull();
  });
  it('rejects wrong length, non-ZIP start, lowercase or punctuation', () => {
    expect(validateTrifid('77536SHLLCHWY2')).toMatch(/15 characters/);
    expect(validateTrifid('7753XSHLLCHWY22')).toMatch(/ZIP/);
    expect(validateTrifid('77536shllcHWY22')).toMatch(/uppercase/);
    expect(validateTrifid('77536SHLL-HWY22')).toMatch(/uppercase/);
  });
});

describe('validateCasNumber', () => {
  it('accepts real CAS numbers', () => {
    for (const cas of ['7732-18-5', '7440-47-3', '50-00-0', '64-17-5', '71-43-2', '7439-92-1', '1336-36-3']) {
      expect(validateCasNumber(cas), cas).toBeNull();
    }
  });
  it('rejects a wrong check digit, naming the right one', () => {
    expect(validateCasNumber('7732-18-4')).toBe('CAS number check digit is wrong (expected 5)');
  });
  it('rejects bad shapes', () => {
    for (const cas of ['7732185', '7-18-5', '12345678-18-5', '7732-1-5', '7732-18-55', ' 7732-18-5']) {
      expect(validateCasNumber(cas), cas).toMatch(/must look like/);
    }
  });
});

describe('LEI', () => {
  it('accepts real LEIs', () => {
    expect(validateLei('5493001KJTIIGC8Y1R12')).toBeNull(); // Bloomberg Finance L.P.
    expect(validateLei('529900T8BM49AURSDO55')).toBeNull();
    expect(validateLei('HWUPKR0MPOU8FGXBT394')).toBeNull(); // Apple Inc.
  });
  it('computes check digits that validate', () => {
    expect(computeLeiCheckDigits('5493001KJTIIGC8Y1R')).toBe('12');
    expect(computeLeiCheckDigits('529900T8BM49AURSDO')).toBe('55');
    const base = 'ABCDEFGHIJ12345678';
    expect(validateLei(base + computeLeiCheckDigits(base))).toBeNull();
    expect(() => computeLeiCheckDigits('short')).toThrow();
  });
  it('rejects wrong check digits, lengths and characters', () => {
    expect(validateLei('5493001KJTIIGC8Y1R13')).toMatch(/check digits/);
    expect(validateLei('5493001KJTIIGC8Y1R1')).toMatch(/20 characters/);
    expect(validateLei('5493001kjtiigc8y1r12')).toMatch(/uppercase/);
    expect(validateLei('5493001KJTIIGC8Y1RA2')).toMatch(/check digits$/);
  });
});

describe('EIN', () => {
  it('accepts 9 digits with or without the dash', () => {
    expect(validateEin('12-3456789')).toBeNull();
    expect(validateEin('123456789')).toBeNull();
    expect(normalizeEin('12-3456789')).toBe('123456789');
  });
  it('rejects other shapes', () => {
    for (const ein of ['1234-56789', '12345678', '12-345678A', '1234567890']) expect(validateEin(ein), ein).not.toBeNull();
    expect(normalizeEin('12345')).toBeNull();
  });
});

describe('validateYear', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  it('accepts 4-digit years up to the current one', () => {
    expect(validateYear('2025', now)).toBeNull();
    expect(validateYear('1999', now)).toBeNull();
  });
  it('rejects future, too early, and non-4-digit years', () => {
    expect(validateYear('2026', now)).toMatch(/future/);
    expect(validateYear('1899', now)).toMatch(/before 1900/);
    expect(validateYear('2015', now, 2016)).toMatch(/before 2016/);
    expect(validateYear('25', now)).toMatch(/4 digits/);
  });
});
