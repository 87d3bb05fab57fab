/**
 * The one timer of a read: the stall limit of a framed reply, or the idle gap
 * that ends a raw reply. Stopped while our own output is the slow side.
 */
export class SilenceTimer {
  readonly #defaultMs: number;
  readonly #onFire: () => void;
  readonly #active: () => boolean;
  #timer: NodeJS.Timeout | null = null;
  #ms: number;
  pausedForSink = false;

  constructor(defaultMs: number, onFire: () => void, active: () => boolean) {
    this.#defaultMs = defaultMs;
    this.#ms = defaultMs;
    this.#onFire = onFire;
    this.#active = active;
  }

  /** (Re)starts the countdown; 0 ms means no limit. */
  arm(ms: number = this.#defaultMs): void {
    this.#ms = ms;
    this.clear();
    if (ms > 0 && !this.pausedForSink) this.#timer = setTimeout(this.#onFire, ms);
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  pauseForSink(): void {
    this.pausedForSink = true;
    this.clear();
  }

  /** Returns false when the read already ended, so nothing should resume. */
  resumeFromSink(): boolean {
    this.pausedForSink = false;
    if (!this.#active()) return false;
    this.arm(this.#ms);
    return true;
  }
}
