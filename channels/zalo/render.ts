/**
 * A neutral Reply rendered for Zalo: plain text (no Markdown) cut at
 * sentence boundaries under Zalo's 2,000-character limit, and the buttons
 * (at most 5, short titles) on the last part: questions as `oa.query.show`
 * (tapping one sends its text back), the official link as `oa.open.url`.
 */
import { ActivityTypes, type Activity } from 'botbuilder';
import { toPlainText, type Reply } from '../../core/reply';
import type { CsMessage, ZaloButton } from './client';

export const ZALO_TEXT_LIMIT = 2000;
export const ZALO_MAX_BUTTONS = 5;
export const ZALO_BUTTON_TITLE = 35;

/** Split text into parts of at most `limit` characters, at paragraph, sentence or word boundaries. */
export function splitText(text: string, limit = ZALO_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text.normalize('NFC').trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cut = window.lastIndexOf('\n');
    if (cut < limit * 0.5)
      cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('? '), window.lastIndexOf('! ')) + 1;
    if (cut < limit * 0.5) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = limit;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

function shortTitle(title: string): string {
  return title.length <= ZALO_BUTTON_TITLE ? title : `${title.slice(0, ZALO_BUTTON_TITLE - 1).trimEnd()}…`;
}

export function zaloButtons(reply: Reply): ZaloButton[] {
  const buttons: ZaloButton[] = [];
  if (reply.link)
    buttons.push({
      title: shortTitle(reply.link.title),
      type: 'oa.open.url',
      payload: { url: reply.link.url },
    });
  for (const b of reply.buttons) {
    if (buttons.length >= ZALO_MAX_BUTTONS) break;
    buttons.push({ title: shortTitle(b.title), type: 'oa.query.show', payload: b.value.slice(0, 1000) });
  }
  return buttons;
}

/** The Zalo messages for one reply, in order. */
export function toZaloMessages(
  userId: string,
  reply: Reply | undefined,
  fallbackText: string,
  withButtons = true,
): CsMessage[] {
  const text = reply ? toPlainText({ ...reply, buttons: [], link: undefined }) : fallbackText;
  const parts = splitText(text || ' ');
  const buttons = reply && withButtons ? zaloButtons(reply) : [];
  return parts.map((part, i) => {
    const message: CsMessage['message'] = { text: part };
    if (i === parts.length - 1 && buttons.length > 0)
      message.attachment = { type: 'template', payload: { buttons } };
    if (i === parts.length - 1 && !withButtons && reply?.link)
      message.text = `${part}\n${reply.link.title}: ${reply.link.url}`;
    return { recipient: { user_id: userId }, message };
  });
}

/**
 * The Zalo channel's rendering of a Reply, for the bot to send: the Zalo
 * message bodies in `channelData.zalo` (the adapter addresses them to the
 * citizen), and the plain text for anything that reads only `text`.
 */
export function zaloActivity(reply: Reply, withButtons = true): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    text: toPlainText({ ...reply, buttons: [] }),
    channelData: { zalo: toZaloMessages('', reply, '', withButtons).map((m) => m.message) },
  };
}
