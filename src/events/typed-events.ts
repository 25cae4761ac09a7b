/**
 * A minimal typed event bus. Listeners run synchronously in registration order; a listener that
 * throws is reported through `onListenerError` and never breaks the emitter or other listeners.
 */
export type Listener<T> = (payload: T) => void;

export class TypedEvents<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners: { [K in keyof Events]?: Listener<Events[K]>[] } = {};

  constructor(private readonly onListenerError: (event: keyof Events, error: unknown) => void = () => {}) {}

  /** Registers a listener and returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const list = (this.listeners[event] ??= []);
    list.push(listener);
    return () => {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.listeners[event];
    if (!list) return;
    for (const listener of [...list]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }
}
