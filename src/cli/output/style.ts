// Colour and glyph choices. chalk is imported lazily and only when colour is allowed.

export interface Style {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  cyan(text: string): string;
}

const identity = (text: string): string => text;

export const noColor: Style = { green: identity, red: identity, yellow: identity, dim: identity, bold: identity, cyan: identity };

/** A colour style; never consults chalk's global auto-detection (the caller already decided). */
export async function loadStyle(color: boolean): Promise<Style> {
  if (!color) return noColor;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return {
    green: (t) => chalk.green(t),
    red: (t) => chalk.red(t),
    yellow: (t) => chalk.yellow(t),
    dim: (t) => chalk.dim(t),
    bold: (t) => chalk.bold(t),
    cyan: (t) => chalk.cyan(t),
  };
}

export interface Glyphs {
  ok: string;
  fail: string;
  cancel: string;
  dash: string;
  ellipsis: string;
}

export const asciiGlyphs: Glyphs = { ok: '', fail: '', cancel: '', dash: '-', ellipsis: '...' };
export const unicodeGlyphs: Glyphs = { ok: '✔ ', fail: '✖ ', cancel: '■ ', dash: '—', ellipsis: '…' };
