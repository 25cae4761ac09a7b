/**
 * Hands events to a handler one at a time: an event raised while one is being handled is queued,
 * never handled re-entrantly. A handler that throws is reported and the queue goes on, so a bug
 * in one stream cannot take the daemon (and every other stream) down.
 */
export class SerialDispatch<E> {
  private readonly queue: E[] = [];
  private dispatching = false;

  constructor(
    private readonly handle: (event: E) => void,
    private readonly onError: (error: unknown, event: E) => void,
  ) {}

  dispatch(event: E): void {
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        try {
          this.handle(next);
        } catch (error) {
          this.onError(error, next);
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
