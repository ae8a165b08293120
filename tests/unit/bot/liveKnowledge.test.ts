/** Reloading the knowledge base: supervisors' examples are merged in; invalid seeds keep the assistant it had. */
import type { Assistant } from '../../../bot/assistant';
import { LiveKnowledge } from '../../../bot/liveKnowledge';
import { KnowledgeError, type KnowledgeBase } from '../../../knowledge/loader';
import type { TurnOutcomes } from '../../../storage/outcomes';
import { fixtureKb } from '../../helpers';

// Each reload trains the router on the whole knowledge base with the new example (a training key no
// cache holds; triage learns from the seeds alone): about 5 s on the fixture, but a busy two-core machine
// can take many times that, so it gets its own bound.
it('rebuilds with the examples supervisors added, and keeps the old assistant when the seeds fail', async () => {
  const kb = fixtureKb();
  let broken = false;
  const examples = [{ entryId: 'dang-ky-tam-tru', text: 'ở nhờ dài ngày' }];
  const built: KnowledgeBase[] = [];
  const changed: unknown[] = [];
  const live = await LiveKnowledge.start({
    load: () => {
      if (broken) throw new KnowledgeError([{ file: 'x.yaml', path: '', message: 'invalid YAML' }]);
      return kb;
    },
    build: (k) => {
      built.push(k);
      return { kb: k } as unknown as Assistant;
    },
    outcomes: { examples: async () => examples } as unknown as TurnOutcomes,
    onChange: (a) => changed.push(a),
  });
  expect(built[0]?.examples.at(-1)).toMatchObject({ text: 'ở nhờ dài ngày', label: 'dang-ky-tam-tru' });
  expect(live.title('dang-ky-tam-tru')).toBe(kb.entries.find((e) => e.id === 'dang-ky-tam-tru')?.title);
  const before = live.assistant;
  broken = true;
  await expect(live.reload()).rejects.toThrow(KnowledgeError);
  expect(live.assistant).toBe(before);
  broken = false;
  examples.push({ entryId: 'dang-ky-tam-tru', text: 'khách ở lại nhà' });
  expect((await live.reload()).examples).toBe(2);
  expect(changed).toHaveLength(2);
  live.close();
}, 240_000);
