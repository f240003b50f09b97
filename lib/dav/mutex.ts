/**
 * Serialises read-modify-write sequences on the same store keys within this process, so that
 * two concurrent requests cannot lose each other's index updates. (Across processes sharing a
 * Redis store the index updates are last-writer-wins; see the report's known gaps.)
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
