/**
 * Masking personal data before text reaches a log or a stored history
 * someone may read: phone numbers and identity numbers (căn cước, CMND)
 * keep only their last digits, e-mail addresses their first character and
 * their domain.
 */

/** Vietnamese phone numbers: 0xxxxxxxxx or +84xxxxxxxxx, with optional spaces or dots. */
const PHONE = /(?<![\d])(?:\+?84|0)(?:[\s.-]?\d){9}(?![\d])/g;
/** 12-digit identity numbers (căn cước) and 9-digit old CMND numbers. */
const ID_NUMBER = /(?<![\d])(?:\d{12}|\d{9})(?![\d])/g;
/** An e-mail address: its local part and its domain. */
const EMAIL = /(?<![\w.%+-])([\w.%+-])[\w.%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;

function keepLast(match: string, keep: number): string {
  const digits = match.replace(/\D/g, '');
  return `${'*'.repeat(Math.max(0, digits.length - keep))}${digits.slice(-keep)}`;
}

export function maskPersonalData(text: string): string {
  return text
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`)
    .replace(PHONE, (m) => keepLast(m, 3))
    .replace(ID_NUMBER, (m) => keepLast(m, 3));
}
