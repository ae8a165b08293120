/**
 * The knowledge the assistant answers from, reloadable while the server
 * runs: the seeds (checked again on reload) with the example questions
 * supervisors added from the inbox of unanswered questions, read from the
 * database here, at the composition root, so `knowledge/` never touches it.
 * The models retrain only when their training data changed (the model cache
 * is keyed by its hash); a reload on one replica is announced on the bus,
 * and the other replicas reload too.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../core/paths';
import { contentWords } from '../knowledge/query';
import { withExamples, type KnowledgeBase } from '../knowledge/loader';
import type { Bus } from '../storage/bus';
import type { TurnOutcomes } from '../storage/outcomes';
import type { Assistant } from './assistant';
import type { Logger } from '../core/log';

/** The bus channel reloads are announced on. */
export const KB_CHANNEL = 'kb';

export interface LiveKnowledgeOptions {
  /** Load (and check) the seeds. */
  load: () => KnowledgeBase;
  /** Build the assistant for a knowledge base. */
  build: (kb: KnowledgeBase) => Assistant;
  outcomes: TurnOutcomes;
  /** Told of every new assistant (the bot answers with it from then on). */
  onChange?: (assistant: Assistant) => void;
  bus?: Bus;
  log?: Logger;
}

export class LiveKnowledge {
  private current!: Assistant;
  private readonly replica = randomUUID();
  private unsubscribe?: () => void;
  private reloading?: Promise<{ examples: number; seconds: number }>;

  private constructor(private readonly options: LiveKnowledgeOptions) {}

  static async start(options: LiveKnowledgeOptions): Promise<LiveKnowledge> {
    const live = new LiveKnowledge(options);
    await live.build();
    live.unsubscribe = options.bus?.subscribe(KB_CHANNEL, (payload) => {
      // Another replica reloaded (an empty payload is a reconnect: nothing to do).
      if (payload && payload !== live.replica)
        live
          .reload(false)
          .catch((e: unknown) =>
            options.log?.error('knowledge reload failed', { error: (e as Error).message }),
          );
    });
    return live;
  }

  get assistant(): Assistant {
    return this.current;
  }

  /** `aside`: train the models in a worker thread first (a reload), so the server keeps answering meanwhile. */
  private async build(aside = false): Promise<number> {
    const examples = await this.options.outcomes.examples('example');
    const kb = withExamples(this.options.load(), examples);
    if (aside) await this.trainAside(kb);
    this.current = this.options.build(kb);
    this.options.onChange?.(this.current);
    return examples.length;
  }

  /** Reload the seeds and the supervisors' examples (one reload at a time), and tell the other replicas. */
  reload(announce = true): Promise<{ examples: number; seconds: number }> {
    this.reloading ??= (async () => {
      const started = Date.now();
      try {
        const examples = await this.build(true);
        this.options.log?.info('knowledge base reloaded', { examples });
        if (announce) await this.options.bus?.publish(KB_CHANNEL, this.replica);
        return { examples, seconds: (Date.now() - started) / 1000 };
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /**
   * Train the models for `kb` in a worker thread, into the model cache. When
   * the compiled worker is not there (sources run directly) or it fails, the
   * assistant trains on this thread as before, and the reload still happens.
   */
  private async trainAside(kb: KnowledgeBase): Promise<void> {
    const script = [
      join(__dirname, 'trainWorker.js'),
      join(projectRoot(), 'dist', 'bot', 'trainWorker.js'),
    ].find((f) => existsSync(f));
    if (!script) return;
    try {
      await new Promise<void>((resolve, reject) => {
        const worker = new Worker(script, { workerData: { kb } });
        worker.once('error', reject);
        worker.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`training worker exited with ${code}`)),
        );
      });
    } catch (e) {
      this.options.log?.warn('training in a worker failed; training on the main thread', {
        error: (e as Error).message,
      });
    }
  }

  /** The words that make two questions the same, by the assistant's normalisation. */
  words(text: string): string[] {
    return contentWords(text, this.current.index.lexicon);
  }

  title(id: string): string | undefined {
    const entry = this.current.kb.entries.find((e) => e.id === id);
    return entry?.title;
  }

  entries(): Array<{ id: string; title: string }> {
    return this.current.kb.entries
      .map((e) => ({ id: e.id, title: e.title }))
      .sort((a, b) => a.title.localeCompare(b.title, 'vi'));
  }

  close(): void {
    this.unsubscribe?.();
  }
}
