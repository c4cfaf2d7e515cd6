import { connect, type Socket } from 'node:net';

/** A request to release together with others. */
export interface HeldRequest {
  method: string;
  path: string;
  /** Sent as `application/json` when given. */
  body?: unknown;
  /** Sent as `Authorization: Bearer …` when given. */
  token?: string;
}

/** What one of the released requests got back. */
export interface ReleasedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: Record<string, unknown> | undefined;
}

/**
 * Sends each request on its own connection, all of it but its last byte; once every connection
 * holds an incomplete request on the server, the last bytes go out in one synchronous loop, so
 * the server completes all of them within one tick of its event loop ("last-byte
 * synchronisation", as race-condition testing tools do). `Promise.all` over fetch would not do:
 * connection set-up and parsing spread the requests over several ticks.
 */
export async function releaseTogether(
  baseUrl: string,
  requests: readonly HeldRequest[],
): Promise<ReleasedResponse[]> {
  const url = new URL(baseUrl);
  const sockets = await Promise.all(requests.map(() => openSocket(url.hostname, Number(url.port))));
  const responses = sockets.map(readResponse);
  const raws = requests.map((request) => serialise(request, url.host));
  await Promise.all(sockets.map((socket, index) => write(socket, raws[index].subarray(0, -1))));
  // Let the server read what has been sent so far: it now waits for the last byte of each.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [index, socket] of sockets.entries()) socket.write(raws[index].subarray(-1));
  return Promise.all(responses);
}

function serialise(request: HeldRequest, host: string): Buffer {
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  const headers = [
    `${request.method} ${request.path} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: close',
    ...(request.token ? [`Authorization: Bearer ${request.token}`] : []),
    ...(request.body === undefined
      ? []
      : ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]),
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(data, (error) => (error ? reject(error) : resolve())),
  );
}

/** Reads one HTTP/1.1 response up to the close of the connection (`Connection: close`). */
function readResponse(socket: Socket): Promise<ReleasedResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('end', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

function parseResponse(raw: Buffer): ReleasedResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`not an HTTP response: ${raw.toString('utf8').slice(0, 200)}`);
  const [statusLine, ...headerLines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let payload = raw.subarray(split + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') payload = dechunk(payload);
  const text = payload.toString('utf8');
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status, headers, text, body };
}

function dechunk(payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = payload.indexOf('\r\n', offset);
    const size = parseInt(payload.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(payload.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}
