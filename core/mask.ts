/**
 * Masking personal data before text reaches a log or anything stored: phone
 * numbers and identity numbers (căn cước, CMND) keep only their last
 * digits, bank card numbers their last four, e-mail addresses their first
 * character and their domain. `maskPersonalData` is the one function every
 * channel's activities, transcripts, tickets, bot state, Zalo events and the
 * log lines go through (a call-back number the citizen agreed to give is the
 * one identifier stored whole, in its own column).
 */
import { TICKET_CODE_IN_TEXT } from './handoff';

/** Vietnamese phone numbers: 0xxxxxxxxx or +84xxxxxxxxx, with optional spaces, dots or dashes. */
const PHONE = /(?<![\d])(?:\+?84|0)(?:[\s.-]?\d){9}(?![\d])/g;
/** 12-digit identity numbers (căn cước) and 9-digit old CMND numbers. */
const ID_NUMBER = /(?<![\d])(?:\d{12}|\d{9})(?![\d])/g;
/** An e-mail address: its local part and its domain. */
const EMAIL = /(?<![\w.%+-])([\w.%+-])[\w.%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
/** 13 to 19 digits, optionally in groups split by single spaces, dots or dashes: a bank card number candidate. */
const CARD = /(?<![\d])\d(?:[\s.-]?\d){12,18}(?![\d])/g;

function keepLast(match: string, keep: number): string {
  const digits = match.replace(/\D/g, '');
  return `${'*'.repeat(Math.max(0, digits.length - keep))}${digits.slice(-keep)}`;
}

/**
 * A hotline ticket's code (`1022-YYYYMMDD-NNNN`, hotline/domain/desk.ts): a
 * reference the citizen must read whole, never a card, though its sixteen
 * digits pass the Luhn check about one time in ten (1022-20261207-0007 was
 * shown as ************0007).
 */
const TICKET_CODE = new RegExp(`^${TICKET_CODE_IN_TEXT.source}$`);

/** The Luhn checksum every bank card number (Visa, Mastercard, NAPAS, JCB…) satisfies. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A card number: its digits pass the Luhn check, or it is written the way
 * cards are printed (groups of four). A run of digits that is neither (an
 * account or reference number) is left to the phone and ID rules.
 */
function isCard(match: string): boolean {
  if (TICKET_CODE.test(match)) return false;
  const digits = match.replace(/\D/g, '');
  return luhnValid(digits) || /^\d{4}(?:[\s.-]\d{4}){3}(?:[\s.-]\d{1,3})?$/.test(match);
}

/** Whitespace, as `\s` in the masking patterns. */
const SPACE = /\s/;

/**
 * Whether `maskPersonalData` can change a text: every address it masks has
 * an "@", and every number (a phone number, an identity number) at least
 * nine digits in a row (a card number has 13 or more), with at most one
 * space, dot or hyphen between two of them. A reply with neither (most of them: fees, dates, codes and 1022
 * are shorter) skips its regular expressions; the result is the same.
 */
export function mayHoldPersonalData(text: string): boolean {
  let run = 0;
  let afterDigit = false;
  let afterSeparator = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 64) return true; // @
    if (c >= 48 && c <= 57) {
      run = afterDigit || afterSeparator ? run + 1 : 1;
      if (run >= 9) return true;
      afterDigit = true;
      afterSeparator = false;
    } else if (afterDigit && (c === 32 || c === 46 || c === 45 || SPACE.test(text.charAt(i)))) {
      afterDigit = false;
      afterSeparator = true;
    } else {
      run = 0;
      afterDigit = false;
      afterSeparator = false;
    }
  }
  return false;
}

export function maskPersonalData(text: string): string {
  if (!mayHoldPersonalData(text)) return text;
  return text
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`)
    .replace(CARD, (m) => (isCard(m) ? keepLast(m, 4) : m))
    .replace(PHONE, (m) => keepLast(m, 3))
    .replace(ID_NUMBER, (m) => keepLast(m, 3));
}

/**
 * The fields that hold what people wrote, at any depth: activities (a
 * hand-off event carries a transcript), Zalo events, bot state (the last
 * question, a call-back's subject).
 */
export const TEXT_FIELDS: ReadonlySet<string> = new Set([
  'text',
  'summary',
  'speak',
  'subtitle',
  'value',
  'subject',
  'lastQuestion',
]);

/**
 * A copy of `value` with personal data masked in its text fields (and in
 * everything under a text field); ids, addresses and links are left alone
 * (a masked id or link would break).
 */
export function maskFields<T>(value: T, key = '', inside = false): T {
  const masking = inside || TEXT_FIELDS.has(key);
  if (typeof value === 'string') return (masking ? maskPersonalData(value) : value) as T;
  if (Array.isArray(value)) return value.map((v) => maskFields(v, key, inside)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskFields(v, k, masking)])) as T;
  }
  return value;
}
