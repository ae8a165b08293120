/**
 * Cutting plain-text documents into passages: split at headings and
 * paragraphs, keep each passage under a size a citizen can read in a chat
 * bubble, and tie it to its document title, position and heading.
 */
import { basename } from 'node:path';
import { fold } from './normalize';
import type { Passage } from './schema';

export interface IngestOptions {
  /** Paragraphs are joined until a passage reaches about this many characters. */
  targetChars: number;
  /** A single paragraph longer than this is cut at sentence boundaries. */
  maxChars: number;
}

export const defaultIngestOptions: IngestOptions = { targetChars: 600, maxChars: 1200 };

/**
 * Provinces named in documents (the 63 names before the 2025 merger cover
 * every older document as well as the 34 current ones).
 */
export const PROVINCES = [
  'An Giang',
  'Bà Rịa - Vũng Tàu',
  'Bạc Liêu',
  'Bắc Giang',
  'Bắc Kạn',
  'Bắc Ninh',
  'Bến Tre',
  'Bình Dương',
  'Bình Định',
  'Bình Phước',
  'Bình Thuận',
  'Cà Mau',
  'Cao Bằng',
  'Cần Thơ',
  'Đà Nẵng',
  'Đắk Lắk',
  'Đắk Nông',
  'Điện Biên',
  'Đồng Nai',
  'Đồng Tháp',
  'Gia Lai',
  'Hà Giang',
  'Hà Nam',
  'Hà Nội',
  'Hà Tĩnh',
  'Hải Dương',
  'Hải Phòng',
  'Hậu Giang',
  'Hòa Bình',
  'Hưng Yên',
  'Khánh Hòa',
  'Kiên Giang',
  'Kon Tum',
  'Lai Châu',
  'Lạng Sơn',
  'Lào Cai',
  'Lâm Đồng',
  'Long An',
  'Nam Định',
  'Nghệ An',
  'Ninh Bình',
  'Ninh Thuận',
  'Phú Thọ',
  'Phú Yên',
  'Quảng Bình',
  'Quảng Nam',
  'Quảng Ngãi',
  'Quảng Ninh',
  'Quảng Trị',
  'Sóc Trăng',
  'Sơn La',
  'Tây Ninh',
  'Thái Bình',
  'Thái Nguyên',
  'Thanh Hóa',
  'Thừa Thiên Huế',
  'Huế',
  'Tiền Giang',
  'Thành phố Hồ Chí Minh',
  'Trà Vinh',
  'Tuyên Quang',
  'Vĩnh Long',
  'Vĩnh Phúc',
  'Yên Bái',
];

/** The province a text names most often (at least twice), if any. */
export function provinceOf(text: string): string | undefined {
  const folded = fold(text);
  let best: string | undefined;
  let bestCount = 1;
  for (const p of PROVINCES) {
    const needle = fold(p);
    let count = 0;
    for (let at = folded.indexOf(needle); at >= 0; at = folded.indexOf(needle, at + needle.length)) count++;
    if (count > bestCount) {
      best = p;
      bestCount = count;
    }
  }
  return best;
}

/** A lettered sub-heading such as "c) Mục tiêu cụ thể đến năm 2030". */
const SUBHEADING = /^[a-zđ]\)\s+\S/u;

/** A line that reads as a heading: short, no final full stop, numbered or in capitals. */
export function isHeading(line: string): boolean {
  const l = line.trim();
  if (l.length === 0 || l.length > 140 || /[.;:,]$/.test(l)) return false;
  if (SUBHEADING.test(l)) return true;
  if (/^(Phần|Chương|Mục|Điều|PHẦN|CHƯƠNG|MỤC|ĐIỀU)\s+[\dIVXLC]+/u.test(l)) return true;
  if (/^([IVXLC]+|[A-Z]|\d+(\.\d+)*)[.)]\s+\S/u.test(l)) return true;
  const letters = l.replace(/[^\p{L}]/gu, '');
  return letters.length >= 6 && letters === letters.toUpperCase();
}

/** Clean a line of table pipes and stray spaces. */
function clean(line: string): string {
  return line.replace(/\|/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Cut an over-long paragraph at sentence boundaries. */
function splitLong(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const sentences = text.match(/[^.!?;]+[.!?;]*\s*/g) ?? [text];
  const out: string[] = [];
  let cur = '';
  for (const s of sentences) {
    if (cur && cur.length + s.length > max) {
      out.push(cur.trim());
      cur = '';
    }
    cur += s;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Turn one document into passages. The first non-empty line is the title;
 * each passage carries the latest heading above it.
 */
export function ingestText(
  file: string,
  content: string,
  options: IngestOptions = defaultIngestOptions,
): Passage[] {
  const document = basename(file).replace(/\.[^.]+$/, '');
  const lines = content.normalize('NFC').split(/\r?\n/).map(clean);
  const title = lines.find((l) => l.length > 0) ?? document;
  const about = provinceOf(content);
  const passages: Passage[] = [];
  let heading: string | undefined;
  let section: string | undefined;
  let buffer: string[] = [];

  const flush = (): void => {
    const text = buffer.join('\n').trim();
    buffer = [];
    if (text.length < 40) return;
    for (const part of splitLong(text, options.maxChars)) {
      const position = passages.length;
      passages.push({
        kind: 'passage',
        id: `${document}#${position}`,
        document,
        document_title: title,
        ...(about ? { about } : {}),
        position,
        ...(heading ? { heading } : {}),
        text: part,
      });
    }
  };

  let seenTitle = false;
  for (const line of lines) {
    if (!seenTitle) {
      if (line) seenTitle = true;
      continue;
    }
    if (!line) continue;
    if (isHeading(line)) {
      flush();
      // A lettered sub-heading keeps its section: "3. Tầm nhìn, mục tiêu › c) … đến năm 2030".
      if (SUBHEADING.test(line)) heading = section ? `${section} › ${line}` : line;
      else heading = section = line;
      continue;
    }
    buffer.push(line);
    if (buffer.join(' ').length >= options.targetChars) flush();
  }
  flush();
  return passages;
}
