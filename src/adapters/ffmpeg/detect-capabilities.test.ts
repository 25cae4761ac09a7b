import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { supportsHttpOption, supportsOption } from '../../domain/ffmpeg-capabilities.js';
import { parseAvOptionSection, parseCapabilities, parseOptionNames, parseVersion } from './detect-capabilities.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/ffmpeg-help/${name}`, import.meta.url), 'utf8');
}

const builds = [
  {
    build: 'Debian ffmpeg 5.1',
    version: fixture('debian-5.1-version.txt'),
    help: fixture('debian-5.1-help-long.txt'),
    httpHelp: fixture('debian-5.1-help-protocol-http.txt'),
    expectedVersion: /^5\.1\.\d+-\d+\+deb12u\d+$/,
    statsPeriod: true,
  },
  {
    build: 'bundled 2018 static build',
    version: fixture('bundled-4.1-version.txt'),
    help: fixture('bundled-4.1-help-long.txt'),
    // This build does not know `-h protocol=http`; its http options are read from `-h full`.
    httpHelp: fixture('bundled-4.1-help-full-excerpt.txt'),
    expectedVersion: /^N-47683-g0e8eb07980-static$/,
    statsPeriod: false,
  },
];

describe.each(builds)('$build', ({ version, help, httpHelp, expectedVersion, statsPeriod }) => {
  const capabilities = parseCapabilities(version, help, httpHelp);

  it('reads the http protocol options the argv builder relies on', () => {
    for (const option of ['reconnect', 'reconnect_streamed', 'reconnect_delay_max', '-reconnect']) {
      expect(supportsHttpOption(capabilities, option), option).toBe(true);
    }
    // Named values of an option (auth_type's "basic") and other sections' options are not options of http.
    expect(supportsHttpOption(capabilities, 'basic')).toBe(false);
    expect(supportsHttpOption(capabilities, 'ftp-anonymous-password')).toBe(false);
    // Protocol options are not global options.
    expect(supportsOption(capabilities, 'reconnect')).toBe(false);
  });

  it('parses the version', () => {
    expect(capabilities.version).toMatch(expectedVersion);
  });

  it('lists the options the argv builder relies on', () => {
    for (const option of ['progress', 'stats', 'stdin', 'loglevel', 'y', 'f', 'c', 're', 'map', 'filter_complex']) {
      expect(supportsOption(capabilities, option), option).toBe(true);
    }
    expect(supportsOption(capabilities, '-progress')).toBe(true);
    // Boolean options are listed without their "no" form: -nostats is supported when "stats" is.
    expect(supportsOption(capabilities, 'nostats')).toBe(false);
  });

  it(`${statsPeriod ? 'has' : 'lacks'} -stats_period`, () => {
    expect(supportsOption(capabilities, 'stats_period')).toBe(statsPeriod);
  });

  it('does not mistake help examples, headings or descriptions for options', () => {
    expect(capabilities.options.size).toBeGreaterThan(150);
    for (const name of capabilities.options) {
      expect(name).toMatch(/^[A-Za-z0-9_?:]+$/);
    }
    expect(capabilities.options.has('print')).toBe(false);
    expect(capabilities.options.has('')).toBe(false);
  });
});

describe('parseVersion', () => {
  it.each([
    ['ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers\n', '5.1.6-0+deb12u1'],
    ['ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/', 'N-47683-g0e8eb07980-static'],
    ['ffprobe version 6.0 Copyright (c) 2007-2023\n', '6.0'],
    ['\nsomething first\nffmpeg version 7.1 Copyright\n', '7.1'],
    ['not ffmpeg at all', undefined],
    ['', undefined],
  ])('%j → %j', (input, expected) => {
    expect(parseVersion(input)).toBe(expected);
  });
});

describe('parseOptionNames', () => {
  it('takes names from lines that start with a dash only', () => {
    const help = [
      'Getting help:',
      '    -h      -- print basic options',
      '-L                  show license',
      '-?  topic            show help',
      '--help topic        show help',
      '-stats_period time  set the period',
      '-c codec            codec name',
      '-',
      '--',
      'Video options:',
      '-vf filter_graph    set video filters',
      '\r',
    ].join('\r\n');
    expect([...parseOptionNames(help)].sort()).toEqual(['?', 'L', 'c', 'help', 'stats_period', 'vf']);
  });

  it('gives unknown as the version when none is printed', () => {
    expect(parseCapabilities('', '-y overwrite').version).toBe('unknown');
  });
});

describe('parseAvOptionSection', () => {
  it('is undefined when the section is not there (a build that does not know the help topic)', () => {
    expect(parseAvOptionSection(fixture('bundled-4.1-help-protocol-http.txt'), 'http')).toBeUndefined();
    expect(parseCapabilities('', '-y overwrite', 'Unknown help option').httpOptions).toBeUndefined();
  });

  it('stops at the end of its section', () => {
    const text = ['http AVOptions:', '  -seekable          <boolean>    .D....... seek', '', 'https AVOptions:', '  -other <int> x'].join('\n');
    expect([...(parseAvOptionSection(text, 'http') ?? [])]).toEqual(['seekable']);
  });
});
