/**
 * Field templates (config/templates/*.yaml): how to recognise a layout and where each field is
 * printed. Read and validated by template-files.ts, or handed to this thread already validated
 * (src/config-data.ts).
 */
import { givenConfigData } from '../../config-data.js';
import type { Template } from './template-files.js';

export type { FieldSpec, Template } from './template-files.js';

// The files (and the YAML parser and zod that read them) only where the data was not handed over.
const given = givenConfigData()?.templates;
const files = given ? null : await import('./template-files.js');

let cache: readonly Template[] | undefined;

/** Parse one template file's text (validated; the error names the file and the path in it). */
export function parseTemplate(source: string, file = 'template'): Template {
  if (!files) throw new Error('templates were handed to this thread; it does not read template files');
  return files.parseTemplate(source, file);
}

/** The shipped templates plus any a user added to config/templates/ (or those of `dir`). */
export function loadTemplates(dir?: string): readonly Template[] {
  if (dir === undefined) return (cache ??= given ?? files!.readTemplates());
  if (!files) throw new Error('templates were handed to this thread; it does not read template files');
  return files.readTemplates(dir);
}
