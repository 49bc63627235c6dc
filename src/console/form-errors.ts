import { ZodError } from 'zod';
import { isFoyerError } from '../errors/catalogue.js';

/**
 * What a person reads when a form is refused: the service's own 4xx message (it names the field and the
 * rule), or the validation issues. Anything else is a real failure and goes to the error page.
 */
export function formErrorOf(error: unknown): { status: number; message: string } {
  if (error instanceof ZodError) {
    return {
      status: 400,
      message: error.issues
        .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; '),
    };
  }
  if (isFoyerError(error) && error.status < 500 && error.key !== 'csrfFailed') {
    return { status: error.status, message: error.message };
  }
  throw error;
}

/** A form field as one string (a repeated field keeps its last value). */
export const field = (body: Record<string, unknown> | undefined, name: string): string => {
  const value = body?.[name];
  if (Array.isArray(value)) return String(value.at(-1) ?? '');
  return typeof value === 'string' ? value : '';
};

/** A repeated field (checkboxes) or a textarea of lines, as a list. */
export const fieldList = (body: Record<string, unknown> | undefined, name: string): string[] => {
  const value = body?.[name];
  const values = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return values
    .flatMap((v) => String(v).split(/\r?\n/))
    .map((v) => v.trim())
    .filter(Boolean);
};
