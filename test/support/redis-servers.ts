import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { watchdog } from "../../src/embedded/watchdog";
import { waitForProgress } from "./progress";

// Private redis-server processes for tests of the engines operators run (a Cluster, Sentinel,
// TLS): each on free loopback ports, with its own temporary directory, AOF on as
// docs/reliability.md asks, and a watchdog that ends it if the test process dies
// (src/embedded/watchdog.ts). A test stops them in `finally`.

const run = promisify(execFile);

/** A free loopback port (the kernel's pick; released before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  dir: string;
  /** Kills it outright (SIGKILL: no AOF flush, no goodbye) and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory: it loads its AOF (and nodes.conf). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Resolves once `port` answers PING (`tls`: the URL to ping instead); fails if the server exits. */
async function waitUntilUp(child: ChildProcess, log: string, url: string, tlsCa?: Buffer) {
  await waitForProgress(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}); see ${log}`);
      }
      const r = new Redis(url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        ...(tlsCa ? { tls: { ca: tlsCa } } : {}),
      });
      r.on("error", () => {});
      try {
        await r.connect();
        return (await r.ping()) === "PONG" ? "up" : "starting";
      } catch {
        return `starting ${existsSync(log) ? statSync(log).size : 0}`;
      } finally {
        r.disconnect();
      }
    },
    (state) => state === "up",
    { everyMs: 50, what: `redis-server at ${url}` },
  );
}

export interface StartOptions {
  args?: string[];
  /** Serve TLS only, with this certificate (selfSignedCert). */
  tls?: TestCert;
  /** A Sentinel (no data, no AOF) watching the master on this port under `name`. */
  sentinel?: { masterPort: number; name: string };
}

export async function startRedisServer(o: StartOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "census-redis-"));
  const log = join(dir, "redis.log");
  const listen = o.tls
    ? ["--port", "0", "--tls-port", String(port), "--tls-auth-clients", "no"]
    : ["--port", String(port)];
  const tls = o.tls ? ["--tls-cert-file", o.tls.certFile, "--tls-key-file", o.tls.keyFile] : [];
  const common = ["--bind", "127.0.0.1", "--dir", dir, "--logfile", log];
  let args: string[];
  if (o.sentinel) {
    // a Sentinel rewrites its configuration file: it needs one of its own
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `sentinel monitor ${o.sentinel.name} 127.0.0.1 ${o.sentinel.masterPort} 1`,
        `sentinel down-after-milliseconds ${o.sentinel.name} 2000`,
        "",
      ].join("\n"),
    );
    args = [conf, "--sentinel", ...listen, ...tls, ...common];
  } else {
    args = [
      ...listen,
      ...tls,
      ...common,
      ...["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
      ...(o.args ?? []),
    ];
  }
  let child: ChildProcess;
  let dog: ReturnType<typeof watchdog>;
  const url = `${o.tls ? "rediss" : "redis"}://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn("redis-server", args, { stdio: "ignore" });
    dog = watchdog(child.pid ?? 0, { signal: "TERM", graceSeconds: 5 });
    await waitUntilUp(child, log, url, o.tls?.ca);
  };
  const end = async (signal: NodeJS.Signals) => {
    dog.release();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    // Redis refuses a SIGTERM while it writes its first AOF (after CONFIG SET appendonly yes)
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(force);
  };
  await start();
  return {
    port,
    dir,
    kill: () => end("SIGKILL"),
    restart: start,
    async stop() {
      await end("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestCert {
  dir: string;
  /** The CA's certificate (PEM), and its file, for REDIS_TLS_CA_FILE. */
  ca: Buffer;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A throwaway CA and a server certificate it signed for 127.0.0.1 (openssl). */
export async function selfSignedCert(): Promise<TestCert> {
  const dir = mkdtempSync(join(tmpdir(), "census-tls-"));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await openssl(
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=census-test-ca"],
    ...["-keyout", at("ca.key"), "-out", at("ca.pem")],
  );
  await openssl(
    ...["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1"],
    ...["-keyout", at("server.key"), "-out", at("server.csr")],
  );
  writeFileSync(at("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    ...["x509", "-req", "-in", at("server.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key")],
    ...["-CAcreateserial", "-days", "1", "-extfile", at("ext.cnf"), "-out", at("server.pem")],
  );
  return {
    dir,
    ca: readFileSync(at("ca.pem")),
    caFile: at("ca.pem"),
    certFile: at("server.pem"),
    keyFile: at("server.key"),
  };
}

/** The `cluster_state` each node reports. */
async function clusterStates(ports: readonly number[]): Promise<string[]> {
  return Promise.all(
    ports.map(async (port) => {
      const r = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => null });
      r.on("error", () => {});
      try {
        await r.connect();
        const info = (await r.cluster("INFO")) as string;
        return /cluster_state:(\w+)/.exec(info)?.[1] ?? "?";
      } catch {
        return "down";
      } finally {
        r.disconnect();
      }
    }),
  );
}

/** Resolves once every node says the cluster is ok (all slots served). */
export async function waitForClusterOk(ports: readonly number[]): Promise<void> {
  await waitForProgress(
    () => clusterStates(ports),
    (states) => states.every((s) => s === "ok"),
    { everyMs: 100, stallMs: 60_000, what: "the Redis Cluster reporting ok" },
  );
}

/** A Redis Cluster of `masters` redis-server processes (no replicas), AOF on, slots spread evenly. */
export async function startRedisCluster(masters = 3) {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const bus = await freePort();
      nodes.push(
        await startRedisServer({
          args: [
            ...["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
            ...["--cluster-port", String(bus), "--cluster-node-timeout", "2000"],
          ],
        }),
      );
    }
    const ports = nodes.map((n) => n.port);
    await run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-yes"]);
    await waitForClusterOk(ports);
    return { nodes, ports, url: `redis://127.0.0.1:${ports[0]}` };
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
}

/** The node serving the slot of `key` (a hash tag such as {census} names its slot). */
export async function nodeServing(ports: readonly number[], key: string): Promise<number> {
  const r = new Redis(ports[0] ?? 0, "127.0.0.1");
  try {
    const slot = Number(await r.cluster("KEYSLOT", key));
    const ranges = await r.cluster("SLOTS");
    const owner = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
    if (!owner) throw new Error(`no node serves slot ${slot}`);
    return owner[1];
  } finally {
    r.disconnect();
  }
}
