/**
 * The HLS preview. Chromium and Firefox play HLS only through Media Source Extensions, so hls.js
 * (loaded on demand, its own chunk) feeds the <video>; Safari plays the playlist natively.
 * hls.js runs without a worker so the page's Content-Security-Policy needs no blob: scripts.
 */
export type PreviewState = 'loading' | 'playing' | 'error';

export async function attachPreview(video: HTMLVideoElement, url: string, onState: (state: PreviewState, detail?: string) => void): Promise<() => void> {
  onState('loading');
  const playing = () => onState('playing');
  video.addEventListener('playing', playing);
  const { default: Hls } = await import('hls.js/light');
  if (Hls.isSupported()) {
    const hls = new Hls({ enableWorker: false, liveDurationInfinity: true });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) onState('error', `${data.type}: ${data.details}`);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      video.play().catch(() => onState('loading', 'press play to start the preview'));
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    return () => {
      video.removeEventListener('playing', playing);
      hls.destroy();
    };
  }
  if (video.canPlayType('application/vnd.apple.mpegurl') !== '') {
    video.src = url;
    video.play().catch(() => onState('loading', 'press play to start the preview'));
    return () => {
      video.removeEventListener('playing', playing);
      video.removeAttribute('src');
      video.load();
    };
  }
  onState('error', 'this browser cannot play HLS');
  return () => video.removeEventListener('playing', playing);
}
