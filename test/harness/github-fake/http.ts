/** The reply and error types handlers use, apart from index.ts so routes and ops do not import the server. */
export const DOCS = 'https://docs.github.com/rest';

/** Thrown by handlers; becomes `{message, ...extra, documentation_url, status}` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const notFound = () => new HttpError(404, 'Not Found');

/** GitHub's 422 with one error entry. */
export function validationFailed(resource: string, field: string | undefined, code: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', { errors: [{ resource, ...(field ? { field } : {}), code, ...(message ? { message } : {}) }] });
}
