/** A text/event-stream body read into messages (the parser both live streams share). */
export interface ServerSentEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Parses a text/event-stream body into messages (comments and keep-alives skipped). */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  const reader = body
    .pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>)
    .getReader();
  signal.addEventListener('abort', () => void reader.cancel(), { once: true });
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = text;
        else if (field === 'id') id = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length > 0) yield { event, id, data: data.join('\n') };
      end = buffer.indexOf('\n\n');
    }
  }
}
