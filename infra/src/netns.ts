import { readdirSync } from 'node:fs';
import { alive, runToEnd, startChild, type Child, type ChildOptions } from '@obscost/process';

/**
 * Network namespaces as simulated hosts on one machine: each has a loopback of its own, so the
 * same port serves a different app in each. Processes are started with `nsenter --net=`, never
 * `ip netns exec`: that one remounts /sys, and the tracefs under it has no `events/` there.
 * A process in a namespace stays in the root pid namespace, so the observers see its real pid.
 */

const NETNS_DIR = '/var/run/netns';
const PREFIX = 'obscost';

/** A command prefixed to run in another namespace: what to spawn, and with what arguments. */
export interface Command {
  readonly command: string;
  readonly args: string[];
}

export interface Netns {
  readonly name: string;
  /** The namespace's file, what `nsenter --net=` takes. */
  readonly path: string;
  /** `command args` run inside the namespace (nsenter execs it: the child's pid is its pid). */
  wrap(command: string, args: readonly string[]): Command;
  start(command: string, args: readonly string[], options?: ChildOptions): Child;
  /** Deletes the namespace; processes still inside keep it alive until they exit. */
  remove(): Promise<void>;
}

async function ip(args: string[]): Promise<void> {
  const { code, stderr } = await runToEnd('ip', args);
  if (code !== 0) throw new Error(`ip ${args.join(' ')}: ${stderr.trim()}`);
}

let made = 0;

/**
 * A new namespace with its loopback up. Its name carries this process's pid and a count, so
 * parallel runs never collide and `removeStale` can tell a dead run's leftovers.
 */
export async function createNetns(label: string): Promise<Netns> {
  const name = `${PREFIX}-${process.pid}-${++made}-${label}`;
  await ip(['netns', 'add', name]);
  const netns: Netns = {
    name,
    path: `${NETNS_DIR}/${name}`,
    wrap: (command, args) => ({
      command: 'nsenter',
      args: [`--net=${NETNS_DIR}/${name}`, '--', command, ...args],
    }),
    start(command, args, options) {
      const wrapped = netns.wrap(command, args);
      return startChild(wrapped.command, wrapped.args, options);
    },
    remove: () => ip(['netns', 'delete', name]),
  };
  try {
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    await netns.remove();
    throw err;
  }
  return netns;
}

/** The namespaces a run that no longer lives left behind (killed before its cleanup). */
export async function removeStale(): Promise<string[]> {
  const names = (() => {
    try {
      return readdirSync(NETNS_DIR);
    } catch {
      return [];
    }
  })();
  const stale = names.filter((name) => {
    const pid = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name)?.[1];
    return pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid));
  });
  for (const name of stale) await ip(['netns', 'delete', name]);
  return stale;
}
