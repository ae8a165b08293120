/**
 * Rendering a neutral Reply for Bot Framework channels: a hero card with
 * the answer and its buttons, the buttons again as suggested actions (they
 * stay visible above the input box on phones), and the whole reply as plain
 * text for channels that cannot show cards. The Reply itself travels in
 * `channelData.reply` so that non-Bot-Framework channels (Zalo) render it
 * their own way.
 *
 * Web Chat renders Markdown and HTML in message text: an agent's
 * `![](https://tracker/pixel)` would load a remote image in the citizen's
 * browser, and `[link](anywhere)` lead anywhere. So text messages (agents'
 * words, hand-off notices) are sent as plain text, with the official links
 * they mention (links.ts) as buttons; card bodies (the knowledge base's
 * own text) are Markdown with every character escaped except the official
 * links, which are real links.
 */
import { ActionTypes, ActivityTypes, CardFactory, type Activity, type CardAction } from 'botbuilder';
import { isOfficialUrl, officialUrls, splitUrls } from './links';
import { toPlainText, type Reply } from './reply';

export function toActivity(reply: Reply): Partial<Activity> {
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
    const body = toMarkdown(reply);
    const cardButtons =
      reply.link && isOfficialUrl(reply.link.url)
        ? [{ type: ActionTypes.OpenUrl, title: reply.link.title, value: reply.link.url }]
        : [];
    activity.attachments = [CardFactory.heroCard(reply.title ?? '', body, undefined, cardButtons)];
    activity.summary = toPlainText({ ...reply, buttons: [] });
    activity.text = '';
  } else {
    activity.text = toPlainText({ ...reply, buttons: [] });
    activity.textFormat = 'plain';
    const links = officialUrls(activity.text);
    if (links.length > 0) {
      const open = links.map((url) => ({ type: ActionTypes.OpenUrl, title: linkTitle(url), value: url }));
      activity.attachments = [CardFactory.heroCard('', '', undefined, open)];
    }
  }
  if (actions.length > 0) activity.suggestedActions = { actions, to: [] };
  return activity;
}

/** A button title for a link: its host and path, short enough for a button. */
function linkTitle(url: string): string {
  const u = new URL(url);
  const title = `${u.hostname}${u.pathname === '/' ? '' : u.pathname}`;
  return title.length > 40 ? `${title.slice(0, 39)}…` : title;
}

/** Escape every character Markdown or HTML would act on, so that the text shows as typed. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()<>#+!|~&-])/g, '\\$1');
}

/**
 * Text as Markdown that shows it as written: official URLs become links
 * (written out, so the URL is never escaped and always opens); any other
 * URL becomes a code span, which Web Chat neither links nor loads.
 */
function md(text: string): string {
  return splitUrls(text)
    .map((p) => {
      if (!p.url) return escapeMarkdown(p.text);
      if (isOfficialUrl(p.url))
        return `[${escapeMarkdown(p.url)}](${p.url.replace(/[()]/g, encodeURIComponent)})`;
      return `\`${p.url}\``;
    })
    .join('');
}

/**
 * The card body as Markdown (Web Chat renders card text as Markdown, where
 * single line breaks vanish): paragraphs, bold field labels, numbered lists.
 */
export function toMarkdown(reply: Reply): string {
  const blocks: string[] = [];
  const body = (r: Reply, withTitle: boolean): void => {
    if (withTitle && r.title) blocks.push(`**${md(r.title)}**`);
    for (const t of r.text) blocks.push(md(t));
    for (const f of r.fields) {
      if (Array.isArray(f.value))
        blocks.push(`**${md(f.label)}:**\n\n${f.value.map((v, i) => `${i + 1}. ${md(v)}`).join('\n')}`);
      else blocks.push(`**${md(f.label)}:** ${md(f.value)}`);
    }
    for (const line of r.footer) blocks.push(`_${md(line)}_`);
  };
  body(reply, false);
  for (const s of reply.sections) body(s, true);
  return blocks.join('\n\n');
}

/** Everything a reader sees in an activity: text, card titles and text, button titles. */
export function activityText(activity: Partial<Activity>): string {
  const parts: string[] = [];
  if (activity.text) parts.push(activity.text);
  if (activity.summary) parts.push(activity.summary);
  else {
    for (const a of activity.attachments ?? []) {
      const c = a.content as { title?: string; subtitle?: string; text?: string } | undefined;
      for (const p of [c?.title, c?.subtitle, c?.text]) if (p) parts.push(p);
    }
  }
  for (const a of activity.attachments ?? []) {
    const buttons = (a.content as { buttons?: CardAction[] } | undefined)?.buttons ?? [];
    for (const b of buttons) parts.push(`[${b.title}] ${typeof b.value === 'string' ? b.value : ''}`.trim());
  }
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length > 0) parts.push(actions.map((a) => `[${a.title}]`).join(' '));
  return parts.join('\n');
}
