// A sign-in's device in words ("Chrome on Linux") from its User-Agent header, read by bowser (a maintained parser):
// people recognise their browser and system, not the header's text.
import Bowser from 'bowser';

/** "Browser on System" when the header names them; otherwise the client's own name (its first token), or unknown. */
export function deviceName(userAgent: string | null | undefined): string {
  const text = userAgent?.trim();
  if (!text) return 'Unknown device';
  const parser = Bowser.getParser(text);
  const browser = parser.getBrowserName();
  const system = parser.getOSName();
  if (browser) return system ? `${browser} on ${system}` : browser;
  return text.split(/\s/)[0] ?? 'Unknown device';
}
