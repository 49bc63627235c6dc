import { escapeHtml } from '../mail/templates/html.js';

/** Markup that is already safe: produced by the `html` tag, or explicitly trusted with `trusted()`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * The one way pages build markup: every interpolated value is escaped unless it is itself `html`, so a page
 * cannot forget to escape. Arrays are joined; null, undefined and false render as nothing.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup from a trusted source (another template's output). Never for anything a person typed. */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);
