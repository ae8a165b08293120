/**
 * Rendering a neutral Reply for Bot Framework channels: a hero card with
 * the answer and its buttons, the buttons again as suggested actions (they
 * stay visible above the input box on phones), and the whole reply as plain
 * text for channels that cannot show cards. The Reply itself travels in
 * `channelData.reply` so that non-Bot-Framework channels (Zalo) render it
 * their own way.
 */
import { ActionTypes, ActivityTypes, CardFactory, type Activity, type CardAction } from 'botbuilder';
import { toPlainText, type Reply } from './reply';

export function toActivity(reply: Reply): Partial<Activity> {
  const plain = toPlainText(reply);
  const actions: CardAction[] = reply.buttons.map((b) => ({
    type: ActionTypes.ImBack,
    title: b.title,
    value: b.value,
  }));
  const activity: Partial<Activity> = {
    type: ActivityTypes.Message,
    locale: reply.language === 'en' ? 'en-US' : 'vi-VN',
    channelData: { reply },
  };
  if (reply.kind === 'answer' || reply.kind === 'clarify') {
    const body = toPlainText({ ...reply, title: undefined, buttons: [] });
    const cardButtons = reply.link
      ? [{ type: ActionTypes.OpenUrl, title: reply.link.title, value: reply.link.url }]
      : [];
    activity.attachments = [CardFactory.heroCard(reply.title ?? '', body, undefined, cardButtons)];
    activity.summary = plain;
    activity.text = '';
  } else {
    activity.text = toPlainText({ ...reply, buttons: [] });
  }
  if (actions.length > 0) activity.suggestedActions = { actions, to: [] };
  return activity;
}

/** Everything a reader sees in an activity: text, card titles and text, button titles. */
export function activityText(activity: Partial<Activity>): string {
  const parts: string[] = [];
  if (activity.text) parts.push(activity.text);
  for (const a of activity.attachments ?? []) {
    const c = a.content as
      { title?: string; subtitle?: string; text?: string; buttons?: CardAction[] } | undefined;
    if (!c) continue;
    for (const p of [c.title, c.subtitle, c.text]) if (p) parts.push(p);
    for (const b of c.buttons ?? [])
      parts.push(`[${b.title}] ${typeof b.value === 'string' ? b.value : ''}`.trim());
  }
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length > 0) parts.push(actions.map((a) => `[${a.title}]`).join(' '));
  return parts.join('\n');
}
