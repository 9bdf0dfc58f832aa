import { hintsView } from '../hints';

describe('hintsView', () => {
  it('offers the first hint before any is revealed', () => {
    const view = hintsView({ revealed: [], total: 3 });
    expect(view.items).toEqual([]);
    expect(view.canReveal).toBe(true);
    expect(view.buttonLabel).toBe('Show a hint');
  });

  it('numbers the revealed hints "Hint 1 of 3" and offers another', () => {
    const view = hintsView({ revealed: ['Use print.', 'Mind the comma.'], total: 3 });
    expect(view.items).toEqual([
      { label: 'Hint 1 of 3', text: 'Use print.' },
      { label: 'Hint 2 of 3', text: 'Mind the comma.' }
    ]);
    expect(view.canReveal).toBe(true);
    expect(view.buttonLabel).toBe('Show another hint');
  });

  it('says "No more hints" once all are revealed', () => {
    const view = hintsView({ revealed: ['a', 'b'], total: 2 });
    expect(view.canReveal).toBe(false);
    expect(view.buttonLabel).toBe('No more hints');
    expect(view.items.map(i => i.label)).toEqual(['Hint 1 of 2', 'Hint 2 of 2']);
  });

  it('says so when the problem has no hints', () => {
    const view = hintsView({ revealed: [], total: 0 });
    expect(view.canReveal).toBe(false);
    expect(view.note).toBe('This problem has no hints.');
  });

  it('still lets the learner ask before the hints have loaded', () => {
    expect(hintsView(null).canReveal).toBe(true);
  });
});
