/**
 * A Map that holds at most `capacity` entries: adding a new key to a full one forgets the oldest
 * (insertion order). For in-process memos on the request path, whose size must stay bounded.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.capacity && !this.has(key)) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}
