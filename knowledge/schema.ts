/**
 * The knowledge-base schema. Every file under `seeds/` is parsed from YAML
 * and validated here, so that a mistake in a hand-written entry is reported
 * as `file: field path: message` instead of surfacing as a wrong answer.
 *
 * Keys are snake_case because people, not programs, write these files.
 */
import { z } from 'zod';
import {
  fieldNames,
  procedureFields,
  unconfirmableFacts,
  type FieldName,
  type FieldShape,
  type FieldSpec,
} from './fields';

export { fieldNames, unconfirmableFacts, type FieldName };

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const text = nonEmpty;
const textList = z.array(text);
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date');
const entryId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case ASCII words joined by "-"');
/** Coverage topic ids from knowledge-coverage.md: A1..A120 and on, B1..B12, C1..C14, D. */
const topicId = z
  .string()
  .regex(/^(?:[ABC]\d{1,3}|D)$/, 'must be a coverage topic id such as A1, A104, B7, C3 or D');
/** National procedure code (mã thủ tục), e.g. 1.001193. */
const procedureCode = z.string().regex(/^\d\.\d{6}$/, 'must look like 1.001193');

export const sourceSchema = z.strictObject({
  title: text,
  url,
});

/** A question citizens often ask about an entry, with its short answer. */
export const faqSchema = z.strictObject({
  q: text,
  a: text,
  /** Extra ways to ask the same question (no diacritics, colloquial...). */
  also: textList.optional(),
});

/** The fields an evidence item can support. */
export const evidenceFacts = [
  'fees',
  'processing_time',
  'where',
  'documents',
  'legal_basis',
  'steps',
  'online',
  'applicants',
  'summary',
  'faq',
] as const;
export type EvidenceFact = (typeof evidenceFacts)[number];

/**
 * One page that says one fact of an entry, in the page's own words, and the
 * day someone read it there. Official .gov.vn pages first; a law database or
 * reputable press only when no official page is reachable.
 */
export const evidenceSchema = z.strictObject({
  fact: z.enum(evidenceFacts),
  url,
  title: text,
  /** The sentence on that page that says it, short, quoted as written. */
  quote: text.max(300, 'must be a short quote (at most 300 characters)'),
  checked: isoDate,
});

const commonFields = {
  id: entryId,
  /** Coverage topics this entry answers (a list: one entry may cover two). */
  topics: z.array(topicId).optional(),
  title: text,
  title_en: text.optional(),
  /** One to three plain sentences: what this is and the one thing to know. */
  summary: text,
  summary_en: text.optional(),
  /** How citizens say it: abbreviations, colloquial names, no-diacritics, English. */
  aliases: textList.default([]),
  faq: z.array(faqSchema).default([]),
  legal_basis: textList.default([]),
  sources: z.array(sourceSchema).min(1, 'needs at least one official page to check'),
  /** The date the facts were last checked against the sources. */
  checked: isoDate,
  /** What changed recently and what applies now. */
  changes: text.optional(),
  /** Where each fact was read: `kb:check` lists key facts without it and stale items. */
  evidence: z.array(evidenceSchema).optional(),
};

export const onlineLevels = ['toan_trinh', 'mot_phan', 'khong'] as const;

const onlineSchema = z.strictObject({
  level: z.enum(onlineLevels),
  url: url.optional(),
  note: text.optional(),
});

/** The zod shape of each kind of field value. */
function fieldSchema(spec: FieldSpec) {
  const shapes: Record<FieldShape, z.ZodType> = {
    text,
    list: textList.min(1, spec.emptyMessage),
    online: onlineSchema,
  };
  return shapes[spec.shape];
}

type ShapeOf<S extends FieldShape> = S extends 'text'
  ? typeof text
  : S extends 'list'
    ? typeof textList
    : typeof onlineSchema;

/** The procedure's fields, from the registry (knowledge/fields.ts). */
const fieldSchemas = Object.fromEntries(procedureFields.map((f) => [f.name, fieldSchema(f)])) as {
  [F in (typeof procedureFields)[number] as F['name']]: ShapeOf<F['shape']>;
};

export const procedureSchema = z
  .strictObject({
    kind: z.literal('procedure'),
    ...commonFields,
    /** Every national procedure code the topic covers. */
    codes: z.array(z.strictObject({ code: procedureCode, name: text })).default([]),
    /**
     * Why `codes` is empty: said plainly when no code could be confirmed, so
     * the answer points to the portal's search and 1022 instead of a guess.
     */
    codes_note: text.optional(),
    conditions: textList.optional(),
    ...fieldSchemas,
    /**
     * Key facts no reachable source confirms, so the entry does not state
     * them: their text sends the citizen to an official page (a link) or to
     * 1022 instead of guessing, and `kb:check` counts them apart.
     */
    unconfirmed: z.array(z.enum(unconfirmableFacts)).optional(),
  })
  .refine((p) => p.codes.length > 0 || p.codes_note !== undefined, {
    message:
      'a procedure needs at least one national procedure code, or codes_note saying why none is confirmed',
    path: ['codes'],
  })
  .superRefine((p, ctx) => {
    for (const fact of p.unconfirmed ?? []) {
      const value = p[fact];
      const said = Array.isArray(value) ? value.join(' ') : value;
      if (!/https?:\/\/|1022/.test(said)) {
        ctx.addIssue({
          code: 'custom',
          path: [fact],
          message: `listed as unconfirmed, so it must point to an official page (a link) or to 1022, not state a value`,
        });
      }
    }
  });

export const serviceSchema = z.strictObject({
  kind: z.literal('service'),
  ...commonFields,
  links: z.array(sourceSchema).default([]),
  steps: textList.default([]),
  notes: textList.default([]),
});

export const lessonSchema = z.strictObject({
  kind: z.literal('lesson'),
  ...commonFields,
  steps: textList.min(3, 'a lesson needs at least three steps'),
  check: z.strictObject({
    question: text,
    options: textList.min(2).optional(),
    answer: text,
    explanation: text.optional(),
  }),
  learn_more: textList.min(1),
});

/** General information that is neither a procedure nor a how-to (e.g. the province's plan). */
export const articleSchema = z.strictObject({
  kind: z.literal('article'),
  ...commonFields,
  points: textList.min(1),
});

/** A passage cut from an ingested document by `kb:ingest`. */
export const passageSchema = z.strictObject({
  kind: z.literal('passage'),
  id: nonEmpty,
  document: nonEmpty,
  document_title: text,
  /** The province the document is about, when it names one most often. */
  about: text.optional(),
  position: z.number().int().min(0),
  heading: text.optional(),
  text: text,
});

export const entrySchema = z.discriminatedUnion('kind', [
  procedureSchema,
  serviceSchema,
  lessonSchema,
  articleSchema,
]);

/**
 * Words citizens use, kept as data:
 * - `rewrites`: chat spellings and abbreviations replaced before matching
 *   ("ko" → "không", "cccd" → "căn cước công dân"); keys are single tokens
 *   written without diacritics or exactly as typed.
 * - `groups`: phrases that mean the same thing; a question containing one
 *   also searches for the others ("sổ đỏ" ~ "giấy chứng nhận quyền sử dụng đất").
 */
export const synonymsSchema = z.strictObject({
  kind: z.literal('synonyms'),
  rewrites: z.record(nonEmpty, text).default({}),
  groups: z.array(textList.min(2, 'a synonym group needs at least two phrases')).default([]),
  /** Chat particles and filler words that say nothing about the topic ("ạ", "ơi", "nhé"). */
  stopwords: textList.default([]),
  /**
   * Generic words that open procedure titles ("đăng ký", "cấp", "thủ tục"):
   * the rest of a title ("khai sinh", "thẻ căn cước") also counts as the title
   * when a question says it word for word.
   */
  title_openers: textList.default([]),
});

/**
 * Conversation cues kept as data: how a question asks for a part of an
 * entry (field intents) and how it signals small talk. Emergencies,
 * requests for a person, complaints and the rest are learned by triage
 * from example messages (`seeds/triage/`), not listed as cues.
 */

export const intentsSchema = z.strictObject({
  kind: z.literal('intents'),
  fields: z.partialRecord(z.enum(fieldNames), textList.min(1)),
  /**
   * Words that join the parts of a question about several things ("và",
   * "rồi", "còn", "tiện hỏi"); punctuation separates parts too.
   */
  joiners: textList.default([]),
  /** Words that show a part of a question asks something rather than tells ("gì", "không", "thế nào"). */
  question_cues: textList.default([]),
  greeting: textList,
  thanks: textList,
  identity: textList,
  goodbye: textList.default([]),
  /**
   * How citizens wrap the name of what they want in a request ("tôi muốn
   * {x}", "cho em hỏi về {x}"): applied to every entry's title and first
   * alias, they teach the router that the request names the entry and
   * triage that such a request is ordinary, whatever words follow "tôi muốn".
   */
  phrasings: z.array(z.string().regex(/\{x\}/, 'must contain {x} where the name goes')).default([]),
});

/** How an example message is written; kept so evaluation can report by style. */
export const exampleStyles = [
  'diacritics',
  'no_diacritics',
  'abbrev',
  'typo',
  'colloquial',
  'regional',
  'english',
  'formal',
] as const;
const example = z.strictObject({ text, style: z.enum(exampleStyles).optional() });

/** The label of questions about procedures the knowledge base does not hold. */
export const NOT_COVERED = 'not-covered';

/**
 * The label of messages that ask for help with a procedure or paperwork
 * without naming one ("mình muốn làm giấy tờ", "tôi bị mất giấy tờ"): the
 * assistant asks which one instead of guessing.
 */
export const UNSPECIFIED = 'unspecified';

/** Labels of example questions that are classes of the router but not entries. */
export const NON_ENTRY_LABELS: ReadonlySet<string> = new Set([NOT_COVERED, UNSPECIFIED]);

/**
 * Example questions for one entry (`seeds/examples/<entry>.yaml`), the data
 * the router learns from; `contrast` holds questions that share words with
 * this entry but belong to a near neighbour, labelled with that entry.
 * `entry: not-covered` holds questions about procedures the knowledge base lacks,
 * `entry: unspecified` messages that ask for help with one without naming it.
 */
export const examplesSchema = z.strictObject({
  kind: z.literal('examples'),
  entry: entryId,
  questions: z.array(example).min(1),
  contrast: z.array(example.extend({ entry: entryId })).default([]),
});

/** What triage recognises before any knowledge search; `none` is an ordinary message. */
export const triageClasses = [
  'emergency_medical',
  'emergency_fire',
  'emergency_crime',
  'self_harm',
  'handoff',
  'complaint',
  'harmful',
  'personal_data',
  'out_of_scope',
  'none',
] as const;
export type TriageClass = (typeof triageClasses)[number];

/** Example messages of one triage class (`seeds/triage/*.yaml`). */
export const triageExamplesSchema = z.strictObject({
  kind: z.literal('triage'),
  class: z.enum(triageClasses),
  examples: z.array(example).min(1),
});

/** Ways to ask for one part of an entry (`seeds/fields/*.yaml`); `none` asks for no part. */
export const fieldExamplesSchema = z.strictObject({
  kind: z.literal('field_examples'),
  field: z.enum([...fieldNames, 'none']),
  examples: z.array(example).min(1),
});

/** Which entries answer which coverage topic (knowledge-coverage.md). */
export const coverageSchema = z.strictObject({
  kind: z.literal('coverage'),
  topics: z.record(topicId, z.array(entryId).min(1)),
});

export type Source = z.infer<typeof sourceSchema>;
export type Faq = z.infer<typeof faqSchema>;
export type Evidence = z.infer<typeof evidenceSchema>;
export type Procedure = z.infer<typeof procedureSchema>;
export type Service = z.infer<typeof serviceSchema>;
export type Lesson = z.infer<typeof lessonSchema>;
export type Article = z.infer<typeof articleSchema>;
export type Passage = z.infer<typeof passageSchema>;
export type Entry = z.infer<typeof entrySchema>;
export type Synonyms = z.infer<typeof synonymsSchema>;
export type Intents = z.infer<typeof intentsSchema>;
export type Coverage = z.infer<typeof coverageSchema>;
export type ExampleStyle = (typeof exampleStyles)[number];
/** One example message with its label (an entry id, a triage class or a field). */
export interface Example {
  text: string;
  label: string;
  style?: ExampleStyle;
  /** The file it came from, for problems and reports. */
  file: string;
}
/** Anything the search can return. */
export type Answerable = Entry | Passage;
