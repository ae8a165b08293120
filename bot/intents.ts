/**
 * Recognising what a message is before searching the knowledge base:
 * an emergency, a request for a person, a complaint, small talk, or a
 * request outside what the assistant serves. Cue phrases are data
 * (`seeds/intents.yaml`); matching ignores case and tone marks.
 */
import type { Lexicon } from '../knowledge/query';
import { findPhrase } from '../knowledge/query';
import { foldedTokens } from '../knowledge/normalize';
import type { Intents } from '../knowledge/schema';

export type ConversationIntent =
  | { kind: 'emergency'; number: string; service: string }
  | { kind: 'handoff' }
  | { kind: 'complaint' }
  | { kind: 'greeting' }
  | { kind: 'thanks' }
  | { kind: 'identity' }
  | { kind: 'goodbye' }
  | { kind: 'out_of_scope'; topic: string };

interface Cue {
  words: string[];
  intent: ConversationIntent;
}

export class IntentRecognizer {
  private readonly cues: Record<string, Cue[]> = {};

  constructor(
    intents: Intents,
    private readonly lexicon: Lexicon,
  ) {
    const add = (group: string, phrases: string[], intent: ConversationIntent): void => {
      const list = (this.cues[group] ??= []);
      for (const p of phrases) list.push({ words: lexicon.rewrite(foldedTokens(p)), intent });
    };
    for (const e of intents.emergency)
      add('emergency', e.cues, { kind: 'emergency', number: e.number, service: e.service });
    add('identity', intents.identity, { kind: 'identity' });
    add('handoff', intents.handoff, { kind: 'handoff' });
    add('complaint', intents.complaint, { kind: 'complaint' });
    add('greeting', intents.greeting, { kind: 'greeting' });
    add('thanks', intents.thanks, { kind: 'thanks' });
    add('goodbye', intents.goodbye, { kind: 'goodbye' });
    for (const o of intents.out_of_scope)
      add('out_of_scope', o.cues, { kind: 'out_of_scope', topic: o.topic });
  }

  private match(group: string, words: string[]): ConversationIntent | undefined {
    for (const cue of this.cues[group] ?? []) if (findPhrase(words, cue.words).length > 0) return cue.intent;
    return undefined;
  }

  /**
   * Words of the message after chat rewrites, as the matcher sees them.
   */
  words(text: string): string[] {
    return this.lexicon.rewrite(foldedTokens(text));
  }

  /**
   * The intents a message shows, most urgent first. Small talk comes last:
   * "chào bạn, cho hỏi làm hộ chiếu ở đâu" is a question first, and the
   * caller decides whether the knowledge base answers it.
   */
  recognize(text: string): ConversationIntent[] {
    const words = this.words(text);
    const out: ConversationIntent[] = [];
    for (const group of [
      'emergency',
      'identity',
      'handoff',
      'complaint',
      'out_of_scope',
      'greeting',
      'thanks',
      'goodbye',
    ]) {
      const m = this.match(group, words);
      if (m) out.push(m);
    }
    return out;
  }
}
