// Regulatory identifiers. Each validator returns a problem message, or null when the value is valid.
// Values are checked as given: callers trim user input first.

/**
 * EPA TRI Facility ID (TRIFID): 15 characters = 5-digit ZIP code + 5 characters from the facility name +
 * 5 characters from the street address, uppercase A-Z / 0-9.
 */
export function validateTrifid(s: string): string | null {
  if (s.length !== 15) return `TRIFID must be 15 characters (got ${s.length})`;
  if (!/^\d{5}/.test(s)) return 'TRIFID must start with the facility\'s 5-digit ZIP code';
  if (!/^\d{5}[A-Z0-9]{10}$/.test(s)) {
    return 'TRIFID characters 6-15 (from facility name and street address) must be uppercase letters A-Z or digits';
  }
  return null;
}

/** CAS Registry Number `NNNNNNN-NN-N`: check digit = sum of the other digits, right to left, times 1, 2, 3, ... mod 10. */
export function validateCasNumber(s: string): string | null {
  const m = /^(\d{2,7})-(\d{2})-(\d)$/.exec(s);
  if (!m) return 'CAS number must look like 7732-18-5 (2-7 digits, 2 digits, 1 check digit)';
  const digits = m[1]! + m[2]!;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    sum += Number(digits[digits.length - 1 - i]) * (i + 1);
  }
  const expected = sum % 10;
  return expected === Number(m[3]) ? null : `CAS number check digit is wrong (expected ${expected})`;
}

/** ISO 7064 MOD 97-10 remainder of an alphanumeric string (A=10 ... Z=35), computed piecewise to stay exact. */
function mod97(alphanumeric: string): number {
  let remainder = 0;
  for (const ch of alphanumeric) {
    const value = parseInt(ch, 36); // '0'-'9' => 0-9, 'A'-'Z' => 10-35
    remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
  }
  return remainder;
}

/** Two check digits for an 18-character LEI base (ISO 17442): 98 - (base + "00" mod 97). */
export function computeLeiCheckDigits(base18: string): string {
  if (!/^[0-9A-Z]{18}$/.test(base18)) throw new Error('LEI base must be 18 characters 0-9 / A-Z');
  return String(98 - mod97(`${base18}00`)).padStart(2, '0');
}

/** Legal Entity Identifier (ISO 17442): 20 characters, [0-9A-Z]{18}[0-9]{2}, whole value mod 97 == 1. */
export function validateLei(s: string): string | null {
  if (s.length !== 20) return `LEI must be 20 characters (got ${s.length})`;
  if (!/^[0-9A-Z]{18}[0-9]{2}$/.test(s)) return 'LEI must be 18 uppercase letters/digits followed by 2 check digits';
  return mod97(s) === 1 ? null : 'LEI check digits are wrong (ISO 7064 MOD 97-10)';
}

/** US Employer Identification Number: 9 digits, optionally written NN-NNNNNNN. */
export function validateEin(s: string): string | null {
  return /^\d{2}-?\d{7}$/.test(s) ? null : 'EIN must be 9 digits (NN-NNNNNNN or NNNNNNNNN)';
}

/** The 9 digits of a valid EIN, without the dash (the form OSHA ITA expects); null when invalid. */
export function normalizeEin(s: string): string | null {
  return validateEin(s) === null ? s.replace('-', '') : null;
}

/** A 4-digit year between `min` (default 1900) and the current UTC year of `now`. */
export function validateYear(s: string, now: Date = new Date(), min = 1900): string | null {
  if (!/^\d{4}$/.test(s)) return 'year must be 4 digits';
  const year = Number(s);
  if (year > now.getUTCFullYear()) return `year ${year} is in the future`;
  if (year < min) return `year ${year} is before ${min}`;
  return null;
}
