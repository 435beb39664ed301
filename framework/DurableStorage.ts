/**
 * A node's durable storage: what survives a crash. Values are copied in and out, like a
 * disk: changing an object after `set` (or after `get`) changes nothing stored until the
 * next `set`. Keys and value types are the lab's `storage` declaration.
 *
 * @example
 * this.storage.set('promised', ballot);   // before answering with a Promise
 * const promised = this.storage.get('promised') ?? zeroBallot;
 */
export interface DurableStorage<Schema extends object> {
  get<Key extends keyof Schema & string>(key: Key): Schema[Key] | undefined;
  set<Key extends keyof Schema & string>(key: Key, value: Schema[Key]): void;
  delete(key: keyof Schema & string): void;
  keys(): (keyof Schema & string)[];
}
