// Local input validation: problems name file, line and field; nothing is sent while a file has problems.
export { formatProblems, ProblemCollector, MAX_KEPT_PROBLEMS } from './problems.js';
export type { ValidationProblem, ValidationResult } from './problems.js';
export {
  readRecords,
  recordsFromStream,
  detectFormat,
  InputFormatError,
  RECORD_FORMATS,
} from './source.js';
export type { RecordFormat, RecordStream, SourceRecord, CsvHeader } from './source.js';
export {
  ENTITIES,
  IMPORT_MODES,
  SEVERITIES,
  entityColumns,
  validateRecords,
  validateRecordFile,
} from './records.js';
export type { Entity, ImportMode, RecordValidationOptions } from './records.js';
export { validateScimMembers, validateScimMembersFile, SCIM_MEMBER_COLUMNS } from './scim.js';
export {
  validateTrifid,
  validateCasNumber,
  validateLei,
  computeLeiCheckDigits,
  validateEin,
  normalizeEin,
  validateYear,
} from './identifiers.js';
export { isEmail, isCalendarDate } from './fields.js';
