/**
 * A reply as a channel-neutral structure. The bot builds it once; each
 * channel renders it (hero card for Web Chat, text and buttons for Zalo,
 * plain text for the command line) with `toPlainText` as the fallback.
 */

export interface ReplyField {
  label: string;
  /** One paragraph, or a list shown as numbered/bulleted lines. */
  value: string | string[];
}

export interface ReplyButton {
  title: string;
  /** Text sent back as the user's message when the button is pressed. */
  value: string;
}

export type ReplyKind =
  'answer' | 'clarify' | 'no_answer' | 'smalltalk' | 'handoff' | 'decline' | 'emergency' | 'lesson';

export interface Reply {
  kind: ReplyKind;
  title?: string;
  /** Lead paragraphs, shown before the fields. */
  text: string[];
  fields: ReplyField[];
  buttons: ReplyButton[];
  link?: { title: string; url: string };
  /** Footnote lines (source, date checked). */
  footer: string[];
  /** Further sections for a question that asks about more than one entry. */
  sections: Reply[];
  /** The knowledge entry the answer was built from. */
  entry: { id: string; title: string; codes: string[] } | null;
  candidates: Array<{ id: string; title: string; score: number }>;
  /** A hand-off to the 1022 hotline was opened or offered. */
  handoff: boolean;
  /** Set when the message itself asks for the hotline: a request for a person, or a complaint. */
  handoffReason?: 'asked' | 'complaint';
  /** An emergency or self-harm: the bot opens a ticket flagged urgent, after the reply is sent. */
  urgent?: 'emergency_medical' | 'emergency_fire' | 'emergency_crime' | 'self_harm';
  /** The request is outside what the assistant serves. */
  declined: boolean;
  confidence: number;
  language: 'vi' | 'en';
}

export function emptyReply(kind: ReplyKind, language: 'vi' | 'en'): Reply {
  return {
    kind,
    text: [],
    fields: [],
    buttons: [],
    footer: [],
    sections: [],
    entry: null,
    candidates: [],
    handoff: false,
    declined: false,
    confidence: 0,
    language,
  };
}

function renderBody(r: Reply, lines: string[]): void {
  if (r.title) lines.push(r.title);
  lines.push(...r.text);
  for (const f of r.fields) {
    if (Array.isArray(f.value)) {
      lines.push(`${f.label}:`);
      f.value.forEach((v, i) => lines.push(`${i + 1}. ${v}`));
    } else lines.push(`${f.label}: ${f.value}`);
  }
  if (r.link) lines.push(`${r.link.title}: ${r.link.url}`);
  lines.push(...r.footer);
}

/** The whole reply as plain text: what a text-only channel shows. */
export function toPlainText(r: Reply): string {
  const lines: string[] = [];
  renderBody(r, lines);
  for (const s of r.sections) {
    lines.push('');
    renderBody(s, lines);
  }
  if (r.buttons.length > 0) {
    lines.push('');
    lines.push(r.buttons.map((b) => `[${b.title}]`).join(' '));
  }
  return lines.join('\n').trim();
}

/** A hotline message for the citizen (an agent's answer, a ticket update), with optional reply buttons. */
export function ticketReply(language: 'vi' | 'en', text: string, buttons: string[] = []): Reply {
  const r = emptyReply('handoff', language);
  r.text.push(text);
  r.handoff = true;
  for (const b of buttons) r.buttons.push({ title: b, value: b });
  return r;
}
