import { ValidationError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type { ExportFormat } from '../types.js';
import { startJob, type KickoffOptions, type StartedJob } from './kickoff.js';

export interface ExportOptions {
  format: ExportFormat;
  includeAttachments?: boolean;
  filters?: Record<string, unknown>;
}

export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv'];

/** Full tenant export (POST /api/v1/exports). */
export class Exports {
  constructor(private readonly http: HttpClient) {}

  async start(options: ExportOptions, kickoff: KickoffOptions = {}): Promise<StartedJob> {
    if (!EXPORT_FORMATS.includes(options.format)) {
      throw new ValidationError(`Unknown export format "${options.format}": expected one of ${EXPORT_FORMATS.join(', ')}`, {
        code: 'invalid_format',
      });
    }
    const body: Record<string, unknown> = { format: options.format, includeAttachments: options.includeAttachments ?? false };
    if (options.filters) body.filters = options.filters;
    return startJob(this.http, '/api/v1/exports', body, kickoff);
  }
}
