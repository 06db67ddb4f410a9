// The CDK prints "Bundling asset <path>..." straight to stderr for each function it bundles, past vitest's console
// capture. Sent through console instead, those lines show only for a failing test, like every other log line.
const write = process.stderr.write.bind(process.stderr);

process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  if (text.startsWith('Bundling asset ')) {
    console.info(text.trimEnd());
    return true;
  }
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;
