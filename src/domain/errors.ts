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

/** A lifecycle event that is not legal in the current observed state. */
export class IllegalTransitionError extends StreamwardenError {
  constructor(
    readonly state: string,
    readonly event: string,
  ) {
    super('ILLEGAL_TRANSITION', `event "${event}" is not allowed in state "${state}"`);
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
