/**
 * Ctrl-C (and SIGTERM) for a command that must clean up: the first asks it to stop (the callback
 * registered last with `onFirst`, or `count` read later); the second calls `force`, which must end the
 * process at once.
 */
export class Interrupts {
  count = 0;
  private first: (() => void) | undefined;

  constructor(
    private readonly signals: NodeJS.EventEmitter,
    private readonly force: () => void,
  ) {
    signals.on('SIGINT', this.handle);
    signals.on('SIGTERM', this.handle);
  }

  /** Called on the first interrupt, or at once if one came already. */
  onFirst(callback: () => void): void {
    this.first = callback;
    if (this.count > 0) callback();
  }

  dispose(): void {
    this.signals.off('SIGINT', this.handle);
    this.signals.off('SIGTERM', this.handle);
  }

  private readonly handle = () => {
    this.count++;
    if (this.count === 1) this.first?.();
    else this.force();
  };
}
