/**
 * Building the answer from a knowledge entry: the part the citizen asked
 * for first (a matching FAQ answer, then the asked fields), then a short
 * summary, the official link and buttons for the other parts.
 */
import type { TFunction } from 'i18next';
import { buttonFields, fieldNames, type FieldName } from '../knowledge/fields';
import type { Answerable, Procedure } from '../knowledge/schema';
import { emptyReply, type Reply, type ReplyField } from '../core/reply';

/**
 * The longest first reply, in characters of lead text and fields: on a
 * phone a citizen reads about this much; the other parts wait behind
 * buttons (documents, fees, time, where, online, the source).
 */
export const FIRST_REPLY_BUDGET = 600;

/** Characters a field takes on screen. */
const fieldLength = (f: ReplyField): number =>
  f.label.length + (Array.isArray(f.value) ? f.value.join(' ').length + 4 * f.value.length : f.value.length);

/**
 * Keep optional fields only while the reply stays within the budget; the
 * asked ones are always kept (the asked part comes first, whole).
 */
function withinBudget(r: Reply, asked: ReplyField[], optional: ReplyField[]): ReplyField[] {
  let used = r.text.reduce((n, x) => n + x.length, 0) + asked.reduce((n, f) => n + fieldLength(f), 0);
  const kept = [...asked];
  for (const f of optional) {
    if (used + fieldLength(f) > FIRST_REPLY_BUDGET) continue;
    used += fieldLength(f);
    kept.push(f);
  }
  return kept;
}

export interface ComposeInput {
  entry: Answerable;
  fields: FieldName[];
  faq?: number;
  confidence: number;
  language: 'vi' | 'en';
}

/** One part of a procedure as the answer shows it: its label and value (the online block in words). */
function procedureField(p: Procedure, field: FieldName, t: TFunction): ReplyField {
  const label = t(`field.${field}`);
  if (field !== 'online') return { label, value: p[field] };
  const parts = [t(`online.${p.online.level}`), p.online.note, p.online.url].filter(Boolean);
  return { label, value: parts.join(' ') };
}

/** Button text that asks for one part of an entry, understood by the field cues (words in the locales). */
export function fieldQuestion(field: FieldName, title: string, t: TFunction): string {
  return t(`fieldQuestion.${field}`, { title, interpolation: { escapeValue: false } });
}

/** Compose the reply for one entry. */
export function composeAnswer(input: ComposeInput, t: TFunction): Reply {
  const { entry, language } = input;
  const r = emptyReply('answer', language);
  r.confidence = input.confidence;

  if (entry.kind === 'passage') {
    r.title = entry.heading ?? entry.document_title;
    r.text.push(t('quote', { title: entry.document_title, position: entry.position + 1 }));
    r.text.push(excerpt(entry.text, 700));
    if (entry.about && entry.about !== t('province')) r.text.push(t('otherProvince', { about: entry.about }));
    r.entry = { id: entry.id, title: entry.document_title, codes: [] };
    return r;
  }

  const english = language === 'en';
  r.title = english && entry.title_en ? `${entry.title_en} (${entry.title})` : entry.title;
  r.entry = {
    id: entry.id,
    title: entry.title,
    codes: entry.kind === 'procedure' ? entry.codes.map((c) => c.code) : [],
  };
  const faq = input.faq === undefined ? undefined : entry.faq[input.faq];
  if (english && entry.summary_en) r.text.push(entry.summary_en);
  if (faq) r.text.push(faq.a);

  const source = entry.sources[0];
  if (entry.kind === 'procedure') {
    const asked = input.fields.filter((f) => fieldNames.includes(f));
    const askedFields = asked.map((f) => procedureField(entry, f, t)).filter((f): f is ReplyField => !!f);
    // The summary leads when nothing in particular was asked, and follows the asked part if it fits.
    const summary = english && entry.summary_en ? undefined : entry.summary;
    if (summary && asked.length === 0 && !faq) r.text.push(summary);
    r.fields.push(...askedFields);
    if (summary && (asked.length > 0 || faq)) {
      const used =
        r.text.reduce((n, x) => n + x.length, 0) + askedFields.reduce((n, f) => n + fieldLength(f), 0);
      if (used + summary.length <= FIRST_REPLY_BUDGET) r.text.push(summary);
    }
    const shown = asked;
    if (entry.codes.length > 0)
      r.footer.push(t('codes', { codes: entry.codes.map((c) => c.code).join(', ') }));
    else if (entry.codes_note) r.footer.push(entry.codes_note);
    for (const f of buttonFields) {
      if (!shown.includes(f))
        r.buttons.push({ title: t(`field.${f}`), value: fieldQuestion(f, entry.title, t) });
    }
    const link = entry.online.url ?? source?.url;
    if (link) r.link = { title: t('field.links'), url: link };
  } else {
    if (!(english && entry.summary_en)) r.text.unshift(entry.summary);
    const wantsSteps = input.fields.includes('steps');
    const steps = (value: string[]): ReplyField => ({ label: t('field.steps'), value });
    if (entry.kind === 'service') {
      const optional: ReplyField[] = [];
      if (!faq && entry.steps.length > 0) optional.push(steps(entry.steps));
      if (!faq && entry.notes.length > 0) optional.push({ label: t('field.points'), value: entry.notes });
      const asked = wantsSteps && entry.steps.length > 0 ? [steps(entry.steps)] : [];
      r.fields.push(...withinBudget(r, asked, asked.length > 0 ? optional.slice(1) : optional));
      if (!r.fields.some((f) => f.label === t('field.steps')) && entry.steps.length > 0)
        r.buttons.push({ title: t('field.steps'), value: fieldQuestion('steps', entry.title, t) });
      const link = entry.links[0] ?? source;
      if (link) r.link = { title: link.title, url: link.url };
    } else if (entry.kind === 'lesson') {
      const asked = wantsSteps ? [steps(entry.steps)] : [];
      const optional = faq || wantsSteps ? [] : [steps(entry.steps)];
      optional.push({ label: t('field.learn_more'), value: entry.learn_more });
      r.fields.push(...withinBudget(r, asked, optional));
      r.buttons.push({ title: t('lessonStart'), value: `${t('lessonStart')}: ${entry.title}` });
    } else if (entry.kind === 'article') {
      if (!faq) r.fields.push(...withinBudget(r, [], [{ label: t('field.points'), value: entry.points }]));
      if (source) r.link = { title: source.title, url: source.url };
    }
  }
  if (source) r.footer.push(t('source', { title: source.title, url: source.url, date: entry.checked }));
  r.buttons.push({ title: t('hotlineButton'), value: t('hotlineButton') });
  return r;
}

/** The first `max` characters of a passage, cut at a sentence or word boundary. */
export function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const sentence = cut.lastIndexOf('. ');
  const end = sentence > max * 0.5 ? sentence + 1 : cut.lastIndexOf(' ');
  return `${cut.slice(0, end > 0 ? end : max).trim()} …`;
}
