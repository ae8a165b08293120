/**
 * The field registry (knowledge/fields.ts) is the one place a procedure's
 * parts are declared: the schema, the evidence report, the answer's buttons
 * and the locale texts all follow it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createI18n } from '../../../bot/assistant';
import { fieldQuestion } from '../../../bot/compose';
import {
  buttonFields,
  fieldNames,
  keyFacts,
  procedureFields,
  unconfirmableFacts,
} from '../../../knowledge/fields';
import { procedureSchema } from '../../../knowledge/schema';

const locale = (language: string): Record<string, Record<string, string>> =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'bot', 'locales', `${language}.json`), 'utf8'));

describe('the field registry', () => {
  it.each(['vi', 'en'])('gives every field a label and a button question in %s', (language) => {
    const words = locale(language);
    for (const name of fieldNames) {
      expect(words.field?.[name]).toEqual(expect.any(String));
      expect(words.fieldQuestion?.[name]).toContain('{{title}}');
    }
  });

  it('makes the schema require every field it declares', () => {
    const result = procedureSchema.safeParse({ kind: 'procedure' });
    expect(result.success).toBe(false);
    const missing = new Set(result.error!.issues.map((i) => String(i.path[0])));
    for (const name of fieldNames) expect(missing).toContain(name);
  });

  it('keeps the key facts, the unconfirmable ones and the buttons as the registry marks them', () => {
    expect(keyFacts).toEqual(['fees', 'processing_time', 'where', 'documents', 'legal_basis']);
    expect([...unconfirmableFacts].sort()).toEqual(['documents', 'fees', 'processing_time', 'where']);
    expect(buttonFields).toEqual(procedureFields.filter((f) => 'button' in f && f.button).map((f) => f.name));
  });

  it('asks for a part in the citizen’s language, with the title as written', () => {
    const i18n = createI18n();
    expect(fieldQuestion('fees', 'Đăng ký kết hôn', i18n.getFixedT('vi'))).toBe(
      'Đăng ký kết hôn lệ phí bao nhiêu',
    );
    expect(fieldQuestion('where', 'Marriage & you', i18n.getFixedT('en'))).toBe(
      'Marriage & you: where to apply',
    );
  });
});
