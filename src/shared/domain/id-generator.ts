/** New ids for rows and events, as a port: tests pass a predictable sequence. */
export interface IdGenerator {
  /** A new UUID (v7). */
  next(): string;
}
