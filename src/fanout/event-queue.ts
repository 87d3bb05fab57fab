/**
 * The events of a fan-out, handed to one async iterator in order. Output is the only event with a
 * size; when more than `highWaterBytes` of it waits unread, producers are told to pause (the hosts'
 * output streams stop, so their windows close and the servers stop reading the commands' pipes), and
 * they resume once the reader has taken it below half. Memory stays bounded whatever the hosts print.
 */
export class EventQueue<Event> implements AsyncIterable<Event> {
  private readonly items: Array<{ event: Event; bytes: number }> = [];
  private bytes = 0;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly resumers = new Set<() => void>();

  constructor(private readonly highWaterBytes: number) {}

  /** Queues an event; returns false when the producer should pause until `onResume` fires. */
  push(event: Event, bytes = 0, onResume?: () => void): boolean {
    this.items.push({ event, bytes });
    this.bytes += bytes;
    this.wake?.();
    if (this.bytes <= this.highWaterBytes || !onResume) return true;
    this.resumers.add(onResume);
    return false;
  }

  /** No more events will come: the iterator ends after the queued ones. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Event> {
    for (;;) {
      const item = this.items.shift();
      if (item) {
        this.bytes -= item.bytes;
        if (this.bytes <= this.highWaterBytes / 2 && this.resumers.size > 0) {
          const resumers = [...this.resumers];
          this.resumers.clear();
          for (const resume of resumers) resume();
        }
        yield item.event;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}
