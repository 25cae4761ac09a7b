import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNginxRtmp, parseStatPublishers, startNginxRtmp, type NginxRtmp } from '../helpers/nginx-rtmp.js';
import { requireBinary } from '../helpers/require-binary.js';
import { waitFor } from '../helpers/wait-for.js';

const ffmpegPath = requireBinary('ffmpeg', ['/usr/bin/ffmpeg']);
const nginxPath = findNginxRtmp();

describe.skipIf(ffmpegPath === undefined || nginxPath === undefined)('nginx-rtmp harness with a real ffmpeg', () => {
  let nginx: NginxRtmp | undefined;
  const publishers: ChildProcess[] = [];

  function server(): NginxRtmp {
    if (nginx === undefined) throw new Error('nginx not started');
    return nginx;
  }

  /** Publishes a test pattern; its own process group so cleanup can kill it by pgid. */
  function publish(app: string, name: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
    const child = spawn(
      ffmpegPath ?? 'ffmpeg',
      ['-hide_banner', '-nostats', '-loglevel', 'warning', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-f', 'flv', server().rtmpUrl(app, name)],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    publishers.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    return { child, stderr: () => stderr, exited };
  }

  beforeAll(async () => {
    nginx = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
  });

  afterAll(async () => {
    for (const child of publishers) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await nginx?.stop();
  });

  it('starts on loopback ports and answers /stat with no publishers', async () => {
    const n = server();
    expect(n.statUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stat$/);
    expect(n.rtmpUrl('live', 'x')).toBe(`rtmp://127.0.0.1:${n.rtmpPort}/live/x`);
    expect(await n.publishers('live')).toEqual([]);
    expect(await n.isPublishing('live', 'test')).toBe(false);
  });

  it('sees a real ffmpeg publishing, then drops it through /control', async () => {
    const n = server();
    const ffmpeg = publish('live', 'test');
    const publisher = await n.waitForPublishing('live', 'test', { timeoutMs: 20_000, active: true });
    expect(publisher.name).toBe('test');
    expect(publisher.clientId).toMatch(/^\d+$/);
    expect(publisher.address).toBe('127.0.0.1');
    await waitFor(async () => ((await n.publishers('live'))[0]?.bytesIn ?? 0) > 10_000, {
      timeoutMs: 10_000,
      description: 'bytes to arrive at nginx',
    });
    expect(await n.isPublishing('live', 'other')).toBe(false);

    expect(await n.dropPublisher('live', 'test')).toBe('1');
    await n.waitForNotPublishing('live', 'test', { timeoutMs: 10_000 });
    // ffmpeg notices the dropped connection and fails (it does not reconnect on its own).
    const code = await ffmpeg.exited;
    expect(code).not.toBe(0);
  });

  it('a stopped nginx leaves no process behind', async () => {
    const n = await startNginxRtmp({ nginxPath: nginxPath ?? 'nginx' });
    const pid = n.pid;
    await n.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('parseStatPublishers', () => {
  const stat = `<?xml version="1.0" encoding="utf-8" ?>
<rtmp><nginx_version>1.22.1</nginx_version><server><application><name>live</name><live>
<stream><name>123</name><time>5012</time><bw_in>812345</bw_in><bytes_in>498765</bytes_in><bw_out>0</bw_out>
<client><id>7</id><address>127.0.0.1</address><time>5020</time><flashver>FMLE/3.0</flashver><dropped>0</dropped><publishing/><active/></client>
<client><id>9</id><address>127.0.0.1</address><time>100</time><dropped>0</dropped><active/></client>
<meta><video><width>320</width></video></meta><nclients>2</nclients><publishing/><active/></stream>
<stream><name>viewers-only</name><time>1</time><client><id>11</id><address>127.0.0.1</address></client><nclients>1</nclients></stream>
<nclients>3</nclients></live></application><application><name>other</name><live><stream><name>x</name>
<client><id>1</id><address>10.0.0.1</address><publishing/></client></stream></live></application></server></rtmp>`;

  it('lists publishing streams of one application, keeping numeric names as strings', () => {
    expect(parseStatPublishers(stat, 'live')).toEqual([
      { name: '123', clientId: '7', address: '127.0.0.1', bytesIn: 498765, bwIn: 812345, timeMs: 5012, active: true },
    ]);
    expect(parseStatPublishers(stat, 'other').map((p) => p.name)).toEqual(['x']);
    expect(parseStatPublishers(stat, 'missing')).toEqual([]);
  });

  it('tolerates an empty or odd document', () => {
    expect(parseStatPublishers('<rtmp></rtmp>', 'live')).toEqual([]);
    expect(parseStatPublishers('<rtmp><server><application><name>live</name><live></live></application></server></rtmp>', 'live')).toEqual([]);
    expect(parseStatPublishers('', 'live')).toEqual([]);
  });
});
