/** Ordered, readable UUIDs (`00000000-0000-7000-8000-000000000001`, ...), shaped like real ids. */
export class SequentialUuids {
  private counter = 0;

  next(): string {
    this.counter += 1;
    return `00000000-0000-7000-8000-${this.counter.toString(16).padStart(12, '0')}`;
  }
}

/**
 * A UUID-shaped id spelling `label` (its first 16 bytes, as hex): ids sort like their labels,
 * which keeps tests about tie-breaking by id readable.
 */
export function uuidFor(label: string): string {
  const hex = Buffer.from(label, 'utf8').subarray(0, 16).toString('hex').padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
