/**
 * A bounded cache of values per time zone and number (an hour, an instant): a map per zone, so a lookup
 * builds no key string (and no closure: get, then set on a miss). Past `entriesMax` entries in all it starts
 * over. Used where a zone-dependent value is asked for again and again on the command path (offsets,
 * formatted instants).
 */
export class ZoneKeyedCache<V> {
  readonly #zones = new Map<string, Map<number, V>>();
  readonly #entriesMax: number;
  #entries = 0;

  constructor(entriesMax: number) {
    this.#entriesMax = entriesMax;
  }

  get(timeZone: string, key: number): V | undefined {
    return this.#zones.get(timeZone)?.get(key);
  }

  set(timeZone: string, key: number, value: V): void {
    if (this.#entries >= this.#entriesMax) {
      this.#zones.clear();
      this.#entries = 0;
    }
    let zone = this.#zones.get(timeZone);
    if (zone === undefined) {
      zone = new Map();
      this.#zones.set(timeZone, zone);
    }
    zone.set(key, value);
    this.#entries += 1;
  }
}
