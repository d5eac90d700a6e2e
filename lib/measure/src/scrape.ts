/**
 * The text of a `/metrics` endpoint. An answer other than 2xx fails, naming the URL and the
 * status, and so does one that takes longer than `timeoutMs`.
 */
export async function scrape(url: string, timeoutMs = 5_000): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return response.text();
}
