// hls.js ships types for its full build only; the light build (no subtitles, DRM or alternate
// audio, none of which the preview needs) has the same API.
declare module 'hls.js/light' {
  export { default } from 'hls.js';
}
