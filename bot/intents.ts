/**
 * Recognising small talk (a greeting, thanks, goodbye, "who are you")
 * beside a question. Cue phrases are data (`seeds/intents.yaml`); matching
 * ignores case and tone marks. Everything that matters for safety (an
 * emergency, a request for a person, a complaint, harmful asks) is learned
 * by triage (`bot/triage.ts`) from example messages instead.
 */
import type { Lexicon } from '../knowledge/query';
import { findPhrase } from '../knowledge/query';
import { foldedTokens, tokens } from '../knowledge/normalize';
import type { Intents } from '../knowledge/schema';

export type ConversationIntent =
  { kind: 'greeting' } | { kind: 'thanks' } | { kind: 'identity' } | { kind: 'goodbye' };

interface Cue {
  words: string[];
  /** The cue as written, lower case with tone marks, for one-word cues. */
  accented?: string;
  intent: ConversationIntent;
}

/** What the recognizer found in a message. */
export interface Recognition {
  intents: ConversationIntent[];
  /** Share of the message's words that small-talk cues account for (0..1). */
  smalltalkShare: number;
}

export class IntentRecognizer {
  private readonly cues: Record<string, Cue[]> = {};

  constructor(
    intents: Intents,
    private readonly lexicon: Lexicon,
  ) {
    const add = (group: string, phrases: string[], intent: ConversationIntent): void => {
      const list = (this.cues[group] ??= []);
      for (const p of phrases) {
        const words = lexicon.rewrite(foldedTokens(p));
        const typed = tokens(p);
        list.push({ words, accented: typed.length === 1 ? typed[0]?.accented : undefined, intent });
      }
    };
    add('identity', intents.identity, { kind: 'identity' });
    add('greeting', intents.greeting, { kind: 'greeting' });
    add('thanks', intents.thanks, { kind: 'thanks' });
    add('goodbye', intents.goodbye, { kind: 'goodbye' });
  }

  /**
   * Where cue matches in the message. A one-word cue typed with tone marks
   * must match them too: "bão" (storm) is not "bao" in "bao nhiêu".
   */
  private matches(cue: Cue, words: string[], typed: Set<string> | undefined): number[] {
    if (cue.accented && typed && cue.accented !== cue.words[0]) {
      return typed.has(cue.accented) ? findPhrase(words, cue.words) : [];
    }
    return findPhrase(words, cue.words);
  }

  /** Words of the message after chat rewrites, as the matcher sees them. */
  words(text: string): string[] {
    return this.lexicon.rewrite(foldedTokens(text));
  }

  /**
   * The intents a message shows, most urgent first. Small talk comes last:
   * "chào bạn, cho hỏi làm hộ chiếu ở đâu" is a question first, and the
   * caller decides, with `smalltalkShare`, whether the knowledge base answers.
   */
  recognize(text: string): Recognition {
    const words = this.words(text);
    const raw = tokens(text);
    const hasMarks = raw.some((t) => t.accented !== t.folded);
    const typed = hasMarks ? new Set(raw.map((t) => t.accented)) : undefined;
    const intents: ConversationIntent[] = [];
    const smalltalkWords = new Set<number>();
    for (const group of ['identity', 'greeting', 'thanks', 'goodbye']) {
      for (const cue of this.cues[group] ?? []) {
        const at = this.matches(cue, words, typed);
        if (at.length === 0) continue;
        if (!intents.includes(cue.intent)) intents.push(cue.intent);
        if (group === 'greeting' || group === 'thanks' || group === 'goodbye') {
          for (const i of at) cue.words.forEach((_, j) => smalltalkWords.add(i + j));
        }
      }
    }
    const content = words.filter((w, i) => smalltalkWords.has(i) || !this.lexicon.isStopword(w, undefined));
    const smalltalkShare = content.length === 0 ? 0 : smalltalkWords.size / content.length;
    return { intents, smalltalkShare };
  }
}
