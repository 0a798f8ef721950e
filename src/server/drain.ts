import type http from 'node:http';
import net, { type Socket } from 'node:net';

/**
 * Graceful shutdown of the HTTP front. Node's `server.close()` and `closeIdleConnections` (what
 * Apollo's drain plugin uses) treat a connection whose request bytes have arrived but are not parsed
 * yet as idle and reset it, so a busy event loop at SIGTERM cut most in-flight requests off. Here:
 *   1. requests that are running finish; requests parsed from now on (also on connections still
 *      waiting in the accept queue) are answered 503 SHUTTING_DOWN with `Connection: close`;
 *   2. once nothing has run for `quietMs` (so that bytes already received get parsed and answered),
 *      stop listening and close the remaining connections; after `graceMs` regardless.
 */
export class HttpDrain {
  private readonly sockets = new Map<Socket, number>();
  private draining = false;
  private lastActivity = Date.now();

  constructor(private readonly server: http.Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, 0);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Counts a request as running until its response is done (call first thing for every request). */
  track(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    this.lastActivity = Date.now();
    this.sockets.set(socket, (this.sockets.get(socket) ?? 0) + 1);
    if (this.draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      this.lastActivity = Date.now();
      const n = (this.sockets.get(socket) ?? 1) - 1;
      if (this.sockets.has(socket)) this.sockets.set(socket, n);
      if (this.draining && n === 0) socket.end();
    });
  }

  private running(): number {
    let n = 0;
    for (const count of this.sockets.values()) n += count;
    return n;
  }

  async drain(opts: { quietMs?: number; graceMs?: number } = {}): Promise<void> {
    const quietMs = opts.quietMs ?? 250;
    const graceMs = opts.graceMs ?? 10_000;
    this.draining = true;
    this.lastActivity = Date.now();
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (this.running() > 0 || Date.now() - this.lastActivity < quietMs)) {
      await new Promise((r) => setTimeout(r, 25));
    }
    // net.Server's close stops listening without http.Server's reset of "idle" connections.
    const closed = new Promise<void>((resolve) =>
      net.Server.prototype.close.call(this.server, () => resolve()),
    );
    for (const socket of this.sockets.keys()) socket.destroy();
    await closed;
  }
}
