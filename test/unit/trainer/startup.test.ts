// Start-up stages: news only when start-up is slow (over a second, a very deep network, a long source), a turn
// of the event loop at every stage, and a stop requested meanwhile ends start-up (the yielder's verdict).
import { describe, expect, it } from 'vitest';
import type { PreparingMessage } from '../../../src/protocol/trainer';
import { preparingText } from '../../../src/protocol/messageText';
import { Startup, StoppedBeforeStart } from '../../../src/trainer/startup';
import { createYielder } from '../../../src/trainer/yielder';

function setup(stopAfter = Infinity) {
  let t = 0;
  let pauses = 0;
  const news: PreparingMessage[] = [];
  const s = new Startup((m) => news.push(m), { due: () => true, pause: async () => ++pauses > stopAfter }, () => t);
  return { s, news, advance: (ms: number) => (t += ms), pauses: () => pauses };
}

describe('start-up', () => {
  it('is quiet while quick, then says each stage with the layers and the seconds', async () => {
    const { s, news, advance, pauses } = setup();
    await s.stage('checking the model');
    s.layers = 12;
    advance(300);
    await s.stage('opening the data');
    expect(news).toEqual([]);
    advance(900);
    await s.stage('building the network');
    expect(news).toEqual([{ type: 'preparing', stage: 'building the network', layers: 12, seconds: 1.2 }]);
    expect(preparingText(news[0]!)).toBe('preparing: building the network (1 s, 12 layers)…');
    expect(pauses()).toBe(3);
  });

  it('speaks at once for a very deep network or a stage said to be slow', async () => {
    const deep = setup();
    deep.s.layers = 50_004;
    await deep.s.stage('opening the data');
    expect(deep.news.map((m) => m.stage)).toEqual(['opening the data']);
    const long = setup();
    await long.s.stage('checking the model', true);
    expect(long.news).toEqual([{ type: 'preparing', stage: 'checking the model', layers: 0, seconds: 0 }]);
  });

  it('ends with StoppedBeforeStart when a stop came', async () => {
    const { s } = setup(1);
    await s.stage('checking the model');
    await expect(s.stage('opening the data')).rejects.toBeInstanceOf(StoppedBeforeStart);
  });

  it('the yielder gives the event loop a turn: a flag set by a callback in between is seen', async () => {
    let stop = false;
    const y = createYielder(() => stop, 0);
    setImmediate(() => (stop = true));
    expect(y.due()).toBe(true);
    expect(await y.pause()).toBe(true);
  });
});
