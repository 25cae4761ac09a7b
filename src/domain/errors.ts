/**
 * Named errors with stable codes. The HTTP layer maps codes to statuses in one place;
 * everything else only throws these or lets them pass.
 */
export class StreamwardenError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A lifecycle event that is not legal in the current observed state (or, from the API's point of
 * view, an intent that makes no sense in it); `hint` says what to do instead.
 */
export class IllegalTransitionError extends StreamwardenError {
  constructor(
    readonly state: string,
    readonly event: string,
    hint?: string,
  ) {
    super('ILLEGAL_TRANSITION', `event "${event}" is not allowed in state "${state}"${hint ? `: ${hint}` : ''}`);
  }
}

/** A configuration that failed validation; `issues` holds every problem with its path. */
export class ConfigError extends StreamwardenError {
  constructor(readonly issues: readonly string[]) {
    super('INVALID_CONFIG', `invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

export class UnknownStreamError extends StreamwardenError {
  constructor(readonly streamId: string) {
    super('STREAM_NOT_FOUND', `no stream with id "${streamId}"`);
  }
}

/** No usable ffmpeg binary could be found along the documented search order. */
export class FfmpegNotFoundError extends StreamwardenError {
  constructor(readonly tried: readonly string[]) {
    super('FFMPEG_NOT_FOUND', `no usable ffmpeg found; tried: ${tried.join(', ')}`);
  }
}

export class StreamExistsError extends StreamwardenError {
  constructor(readonly streamId: string) {
    super('STREAM_EXISTS', `a stream with id "${streamId}" already exists`);
  }
}

/** A stream definition sent to the API that failed validation; `issues` read `path: message`. */
export class InvalidStreamError extends StreamwardenError {
  constructor(readonly issues: readonly string[]) {
    super('INVALID_STREAM', `invalid stream: ${issues.join('; ')}`);
  }
}

/** The daemon is shutting down and accepts no more changes. */
export class ShuttingDownError extends StreamwardenError {
  constructor() {
    super('SHUTTING_DOWN', 'the daemon is shutting down');
  }
}
