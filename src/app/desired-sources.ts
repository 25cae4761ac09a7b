/**
 * The sources of desired state that write into the store: the configuration file (applied when
 * the store opens, then watched when it came from a file) and the controller's event stream.
 * They attach when the store opens — at boot, or later when it was unavailable — because they
 * write nothing but the store; the reconciler then reads it. They follow their file and the
 * controller from `start()` on (the last part the daemon starts, the first it stops).
 */
import type { Config } from '../config/types.js';
import type { Redactor } from '../domain/redact.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { ControllerSource } from '../sources/controller-source.js';
import { FileSource } from '../sources/file-source.js';

export interface DesiredSourcesOptions {
  readonly config: Config;
  /** The file `config` was loaded from: watched and reloaded. Absent: applied once, never reloaded. */
  readonly configPath: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly redact: Redactor;
}

export class DesiredSources {
  private file: FileSource | undefined;
  private controller: ControllerSource | undefined;
  private following = false;
  private changed: (reason: string) => void = () => undefined;
  /** The engines of the last valid configuration file applied (reloads change them). */
  engines: Config['engines'];
  private enginesChanged: (engines: Config['engines']) => void = () => undefined;

  constructor(private readonly options: DesiredSourcesOptions) {
    this.engines = options.config.engines;
  }

  /**
   * Told after a source changed the store (the reconciler). Changes made before this is set need
   * no telling: the reconciler's first pass reads the store.
   */
  onChange(listener: (reason: string) => void): void {
    this.changed = listener;
  }

  onEngines(listener: (engines: Config['engines']) => void): void {
    this.enginesChanged = listener;
  }

  /** Writes the configuration's streams into `store`; they are followed from `start()` on. */
  async attach(store: Store): Promise<void> {
    const { config, configPath, env, clock, logger, redact } = this.options;
    const onChange = (reason: string) => this.changed(reason);
    this.file = new FileSource({
      // A config built in memory has no file: applied once, not watched, never reloaded.
      path: configPath ?? 'streamwarden.yaml',
      env,
      store,
      clock,
      logger,
      onChange,
      onEngines: (engines) => {
        this.engines = engines;
        this.enginesChanged(engines);
      },
      ...(configPath === undefined && { watch: false as const }),
    });
    const outcome = await this.file.applyConfig(config);
    if (outcome.status !== 'applied') logger.error({ outcome }, 'the configuration streams could not be stored');
    if (config.controller) {
      this.controller = new ControllerSource({
        ...config.controller,
        store,
        clock,
        logger,
        onChange,
        redact,
        references: { rtmpServers: config.rtmpServers.map((s) => s.id), notifiers: config.notifiers.map((n) => n.id) },
      });
    }
    if (this.following) this.follow();
  }

  /** Watches the configuration file (when there is one) and connects to the controller. */
  start(): void {
    this.following = true;
    this.follow();
  }

  private follow(): void {
    if (this.options.configPath !== undefined) this.file?.start();
    this.controller?.start();
  }

  /** Re-reads the configuration file (SIGHUP). Never throws. */
  async reload(): Promise<void> {
    const { configPath, logger } = this.options;
    if (configPath === undefined) {
      logger.warn({}, 'no configuration file to reload');
      return;
    }
    if (!this.file) {
      logger.warn({}, 'the store is unavailable; the configuration is reloaded once it opens');
      return;
    }
    const outcome = await this.file.reload('SIGHUP');
    logger.info({ status: outcome.status }, 'configuration reloaded');
  }

  async close(): Promise<void> {
    await this.file?.close();
    await this.controller?.close();
  }
}
