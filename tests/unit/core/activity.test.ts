/**
 * What Web Chat shows of a reply, rendered as Web Chat renders it
 * (markdown-it with HTML and linkify on): links open only official pages
 * and open them whole (the "Nguồn" link with its underscores), no image
 * loads from anywhere, and agents' words are plain text.
 */
import type { Attachment } from 'botbuilder';
import { ticketReply } from '../../../core/reply';
import { isOfficialUrl } from '../../../core/links';
import { toActivity } from '../../../core/activity';
import { emptyReply } from '../../../core/reply';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- Web Chat's own Markdown renderer, untyped
const MarkdownIt = require('markdown-it') as new (o: object) => { render(s: string): string };
const webChat = new MarkdownIt({ html: true, linkify: true, breaks: false });

const SOURCE =
  'https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.000894';
const HOSTILE =
  '![x](https://tracker.example/p.png) <img src="https://tracker.example/q.png"> [bấm](https://evil.example/)';

const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] as string);
const cardText = (a: Attachment | undefined): string => (a?.content as { text: string }).text;

describe('rendering replies for Web Chat', () => {
  it('makes the "Nguồn" link a working link to the whole official URL', () => {
    const r = emptyReply('answer', 'vi');
    r.title = 'Cấp thẻ căn cước';
    r.text.push('Nộp tại Công an cấp xã.');
    r.footer.push(`Nguồn: Cổng Dịch vụ công – ${SOURCE} (kiểm tra ngày 2026-11-01)`);
    const html = webChat.render(cardText(toActivity(r).attachments?.[0]));
    expect(hrefs(html)).toEqual([SOURCE.replace(/&/g, '&amp;')]);
    expect(html).not.toContain('\\_');
    expect(html).toContain('ma_thu_tuc=1.000894</a>');
  });

  it('loads no image and links nowhere unofficial from a card', () => {
    const r = emptyReply('answer', 'vi');
    r.text.push(`Xem ${HOSTILE} hoặc https://evil.example/x`);
    const html = webChat.render(cardText(toActivity(r).attachments?.[0]));
    expect(html).not.toMatch(/<img/i);
    expect(hrefs(html).every(isOfficialUrl)).toBe(true);
    expect(html).toContain('evil.example');
  });

  it("sends an agent's words as plain text, with only the official links as buttons", () => {
    const activity = toActivity(ticketReply('vi', `Tổng đài viên Lan: ${HOSTILE} ${SOURCE}`));
    expect(activity.textFormat).toBe('plain');
    expect(activity.text).toContain(HOSTILE);
    const buttons = (
      activity.attachments?.[0]?.content as { buttons: Array<{ type: string; value: string }> }
    ).buttons;
    expect(buttons).toEqual([expect.objectContaining({ type: 'openUrl', value: SOURCE })]);
  });

  it('tells official hosts apart', () => {
    expect(isOfficialUrl('https://dichvucong.nghean.gov.vn/x')).toBe(true);
    expect(isOfficialUrl('https://gov.vn.evil.example/')).toBe(false);
    expect(isOfficialUrl('https://evilgov.vn/')).toBe(false);
    expect(isOfficialUrl('javascript:alert(1)')).toBe(false);
  });
});
