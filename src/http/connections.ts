import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";

// A cap on open connections that idle sockets cannot fill. Node's own `maxConnections` refuses
// every new connection once the cap is reached, so 512 sockets that never send a byte locked every
// client out, /healthz included, until the headers timeout closed them (and then the next wave
// came). Like nginx when it runs out of connections, this cap instead closes the connection that
// has been idle longest (no request in flight: nothing sent yet, a head still arriving, or a
// keep-alive between requests) to make room, and refuses a newcomer only when every open
// connection is serving a request. A client that sends its request at once is served; a socket
// that holds a slot without asking for anything is the one that goes.

/** Which connection gives way for a new one: pure bookkeeping, tested on its own. */
export class ConnectionTable<T> {
  readonly #busy = new Map<T, number>();
  /** In the order they became idle: the first is the one idle longest. */
  readonly #idle = new Set<T>();

  constructor(readonly max: number) {}

  get size() {
    return this.#busy.size;
  }

  /** Admits `c`; returns the connection to close for it (`c` itself when none can give way). */
  open(c: T): T | undefined {
    let victim: T | undefined;
    if (this.#busy.size >= this.max) {
      victim = this.#idle.values().next().value;
      if (victim === undefined) return c;
      this.close(victim);
    }
    this.#busy.set(c, 0);
    this.#idle.add(c);
    return victim;
  }

  requestStarted(c: T) {
    const n = this.#busy.get(c);
    if (n === undefined) return;
    this.#busy.set(c, n + 1);
    this.#idle.delete(c);
  }

  requestEnded(c: T) {
    const n = this.#busy.get(c);
    if (n === undefined) return;
    this.#busy.set(c, Math.max(0, n - 1));
    if (n <= 1) this.#idle.add(c); // at the end: idle since now
  }

  close(c: T) {
    this.#busy.delete(c);
    this.#idle.delete(c);
  }
}

/** Applies the cap to a server; `onShed` is told of each connection closed to make room or refused. */
export function capConnections(
  server: Server,
  max: number,
  onShed: (reason: "idle_evicted" | "refused") => void = () => {},
) {
  const table = new ConnectionTable<Socket>(max);
  server.on("connection", (socket: Socket) => {
    const shed = table.open(socket);
    if (shed === socket) {
      socket.destroy();
      onShed("refused");
      return;
    }
    if (shed) {
      shed.destroy();
      onShed("idle_evicted");
    }
    socket.once("close", () => table.close(socket));
  });
  server.on("request", (req: IncomingMessage, res) => {
    const socket = req.socket;
    table.requestStarted(socket);
    res.once("close", () => table.requestEnded(socket));
  });
  return table;
}
