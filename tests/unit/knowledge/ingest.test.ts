import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestText, isHeading, provinceOf } from '../../../knowledge/ingest';
import { passageSchema } from '../../../knowledge/schema';
import { DOCUMENTS } from '../../helpers';

const DOCS = DOCUMENTS;
const docFiles = (): string[] =>
  readdirSync(DOCS)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => join(DOCS, f));

describe('splitting documents', () => {
  it('recognises headings', () => {
    expect(isHeading('1. Bối cảnh chung')).toBe(true);
    expect(isHeading('II. MỤC TIÊU')).toBe(true);
    expect(isHeading('Điều 2. Tổ chức thực hiện')).toBe(true);
    expect(isHeading('c) Mục tiêu cụ thể đến năm 2030')).toBe(true);
    expect(isHeading('Đến năm 2030, tỉnh Nghệ An nằm trong nhóm dẫn đầu.')).toBe(false);
  });

  it('ties each passage to its document title and position, in order', () => {
    const text =
      'Tiêu đề văn bản\n\nI. MỤC TIÊU\nĐoạn thứ nhất nói về mục tiêu của đề án chuyển đổi số.\n\n' +
      'II. GIẢI PHÁP\nĐoạn thứ hai nói về giải pháp, nhiệm vụ và tổ chức thực hiện.\n';
    const passages = ingestText('/x/doc-a.txt', text);
    expect(passages.map((p) => [p.id, p.position, p.heading, p.document_title])).toEqual([
      ['doc-a#0', 0, 'I. MỤC TIÊU', 'Tiêu đề văn bản'],
      ['doc-a#1', 1, 'II. GIẢI PHÁP', 'Tiêu đề văn bản'],
    ]);
  });

  it('keeps the section above a lettered sub-heading', () => {
    const text =
      'Đề án\n\n3. Tầm nhìn, mục tiêu\nc) Mục tiêu cụ thể đến năm 2030\n- 80% người dân trưởng thành sử dụng dịch vụ thanh toán điện tử.\n';
    const [p] = ingestText('/x/doc-b.txt', text);
    expect(p?.heading).toBe('3. Tầm nhìn, mục tiêu › c) Mục tiêu cụ thể đến năm 2030');
  });

  it('names the province a document is about', () => {
    expect(provinceOf('UBND tỉnh Nghệ An ... tỉnh Nghệ An')).toBe('Nghệ An');
    expect(provinceOf('không nêu tỉnh nào')).toBeUndefined();
  });
});

describe('ingesting the plan documents in seeds/documents', () => {
  const all = docFiles().flatMap((f) => ingestText(f, readFileSync(f, 'utf8')));

  it('produces valid passages of readable size from every document', () => {
    expect(docFiles().length).toBeGreaterThanOrEqual(5);
    for (const p of all) {
      expect(passageSchema.safeParse(p).success).toBe(true);
      expect(p.text.length).toBeLessThanOrEqual(1300);
    }
    const docs = new Set(all.map((p) => p.document));
    expect(docs.size).toBe(docFiles().length);
  });

  it('marks the plan QĐ 3050 as about Nghệ An and the emulation-movement news as about Ninh Thuận', () => {
    const plan = all.find((p) => p.document_title.includes('3050/QĐ-UBND'));
    expect(plan?.about).toBe('Nghệ An');
    const ninhThuan = all.filter((p) => p.about === 'Ninh Thuận');
    expect(ninhThuan.length).toBeGreaterThan(0);
    expect(new Set(ninhThuan.map((p) => p.document)).size).toBe(1);
  });
});
