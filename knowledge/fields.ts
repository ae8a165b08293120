/**
 * The parts of a procedure a citizen can ask for, declared once. The schema
 * takes each field's shape from here, `kb:check` its evidence rule, the
 * intents and the field classifier its name, and the answer its order and
 * its button; the words (the label `field.<name>` and the button's question
 * `fieldQuestion.<name>`) are in the locale files. A new field is one line
 * here, its texts in the locales, and its cues in `seeds/fields/`.
 */

import type { Procedure } from './schema';

/** How a field's value is written: one text, a list of texts, or the online-service block. */
export type FieldShape = 'text' | 'list' | 'online';

export interface FieldSpec {
  readonly name: string;
  readonly shape: FieldShape;
  /**
   * A key fact: `kb:check` wants evidence for it. The number is its place in
   * the report, which reads as the issue of a wasted trip does: fees, deadlines,
   * offices, documents, legal bases.
   */
  readonly keyFact?: number;
  /** May be left unconfirmed, its text pointing to an official page or 1022 instead. */
  readonly unconfirmable?: boolean;
  /** Offered as a button under an answer. */
  readonly button?: boolean;
  /** The schema's message when a required list is empty. */
  readonly emptyMessage?: string;
}

/** In the order an answer shows them. */
export const procedureFields = [
  { name: 'documents', shape: 'list', keyFact: 4, unconfirmable: true, button: true },
  { name: 'where', shape: 'list', keyFact: 3, unconfirmable: true, button: true },
  { name: 'processing_time', shape: 'text', keyFact: 2, unconfirmable: true, button: true },
  { name: 'fees', shape: 'text', keyFact: 1, unconfirmable: true, button: true },
  { name: 'online', shape: 'online', button: true },
  { name: 'applicants', shape: 'text', button: true },
  { name: 'steps', shape: 'list' },
  { name: 'result', shape: 'text' },
  { name: 'legal_basis', shape: 'list', keyFact: 5, emptyMessage: 'a procedure needs its legal basis' },
] as const satisfies readonly FieldSpec[];

type Spec = (typeof procedureFields)[number];
export type FieldName = Spec['name'];
/** The names of the fields with a given property. */
type With<K extends 'unconfirmable' | 'button'> = Extract<Spec, Record<K, true>>['name'];
export type KeyFact = Extract<Spec, { keyFact: number }>['name'];
export type UnconfirmableFact = With<'unconfirmable'>;

export const fieldNames = procedureFields.map((f) => f.name) as [FieldName, ...FieldName[]];

const named = <K extends 'unconfirmable' | 'button'>(key: K) =>
  procedureFields.filter((f) => (f as FieldSpec)[key] === true).map((f) => f.name);

export const keyFacts = procedureFields
  .filter((f): f is Extract<Spec, { keyFact: number }> => 'keyFact' in f)
  .sort((a, b) => a.keyFact - b.keyFact)
  .map((f) => f.name);
export const unconfirmableFacts = named('unconfirmable') as [UnconfirmableFact, ...UnconfirmableFact[]];
export const buttonFields = named('button') as FieldName[];

/** The words of every field of a procedure, for the search index (the online block by its note). */
export function procedureFieldTexts(p: Procedure): string[] {
  return fieldNames
    .flatMap((name): Array<string | undefined> => {
      if (name === 'online') return [p.online.note];
      const value = p[name];
      return Array.isArray(value) ? value : [value];
    })
    .filter((x): x is string => x !== undefined);
}
