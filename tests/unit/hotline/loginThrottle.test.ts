/**
 * Console login throttling: failures slow the address that makes them, a
 * stranger cannot lock an agent out, and guessing from many addresses
 * meets a back-off that never holds back an address that has not failed.
 */
import { LoginThrottle } from '../../../hotline/console/loginThrottle';

function throttle(perMinute = 5) {
  let now = 1_000_000;
  const t = new LoginThrottle({ perMinute, now: () => now });
  return { t, advance: (ms: number) => (now += ms) };
}

describe('LoginThrottle', () => {
  it('slows one address guessing one username, and frees it after a minute', async () => {
    const { t, advance } = throttle();
    for (let i = 0; i < 5; i++) {
      expect(await t.wait('lan', '203.0.113.1')).toBe(0);
      await t.failed('lan', '203.0.113.1');
    }
    expect(await t.wait('lan', '203.0.113.1')).toBeGreaterThan(0);
    advance(60_000);
    expect(await t.wait('lan', '203.0.113.1')).toBe(0);
  });

  it("never refuses the agent's own address because a stranger failed for that username", async () => {
    const { t } = throttle();
    for (let i = 0; i < 5; i++) await t.failed('lan', '203.0.113.1');
    expect(await t.wait('lan', '203.0.113.1')).toBeGreaterThan(0);
    expect(await t.wait('lan', '10.0.0.7')).toBe(0);
  });

  it('limits one address trying many usernames', async () => {
    const { t } = throttle();
    for (let i = 0; i < 10; i++) await t.failed(`user${i}`, '203.0.113.1');
    expect(await t.wait('someone-else', '203.0.113.1')).toBeGreaterThan(0);
    expect(await t.wait('someone-else', '203.0.113.2')).toBe(0);
  });

  it('backs off addresses that failed once a username is attacked from many, but not a clean address', async () => {
    const { t, advance } = throttle();
    for (let i = 0; i < 40; i++) await t.failed('lan', `198.51.100.${i}`);
    advance(60_000);
    // Each attacking address failed only once, but must now wait minutes, not seconds.
    expect(await t.wait('lan', '198.51.100.3')).toBeGreaterThan(5 * 60_000);
    expect(await t.wait('lan', '10.0.0.7')).toBe(0);
    // An address that failed once and then logged in starts afresh.
    await t.succeeded('lan', '198.51.100.3');
    expect(await t.wait('lan', '198.51.100.3')).toBe(0);
    advance(15 * 60_000);
    expect(await t.wait('lan', '198.51.100.4')).toBe(0);
  });
});
