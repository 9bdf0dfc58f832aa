import { isFirstVisit, WELCOMED_KEY } from '../firstVisit';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return {
    getItem: key => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value)
  };
}

describe('isFirstVisit', () => {
  it('is true once per browser, then remembers', () => {
    const storage = memoryStorage();
    expect(isFirstVisit(storage)).toBe(true);
    expect(storage.getItem(WELCOMED_KEY)).not.toBeNull();
    expect(isFirstVisit(storage)).toBe(false);
  });

  it('keeps the usual layout when storage is missing or refuses', () => {
    expect(isFirstVisit(null)).toBe(false);
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      }
    };
    expect(isFirstVisit(refusing)).toBe(false);
  });
});
