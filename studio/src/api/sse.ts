// One definition, shared with the CLI: see @kiln/engine's client/sse.ts.
export { SseHttpError, SseParser, type SseEvent, streamEvents } from '@kiln/engine';
