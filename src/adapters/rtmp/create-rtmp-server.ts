/** Builds the RtmpServer adapter for one `rtmpServers[]` entry of the configuration. */
import type { RtmpServerConfig } from '../../config/types.js';
import type { RtmpServer } from '../../ports/rtmp-server.js';
import { MediaMtxServer } from './mediamtx.js';
import { NginxRtmpServer } from './nginx-rtmp.js';
import type { RtmpAdapterOptions } from './options.js';
import { SrsServer } from './srs.js';

export function createRtmpServer(config: RtmpServerConfig, options: RtmpAdapterOptions): RtmpServer {
  switch (config.type) {
    case 'nginx-rtmp':
      return new NginxRtmpServer({ id: config.id, statUrl: config.statUrl, controlUrl: config.controlUrl }, options);
    case 'srs':
      return new SrsServer({ id: config.id, apiUrl: config.apiUrl }, options);
    case 'mediamtx':
      return new MediaMtxServer({ id: config.id, apiUrl: config.apiUrl }, options);
  }
}

export type { RtmpAdapterOptions } from './options.js';
