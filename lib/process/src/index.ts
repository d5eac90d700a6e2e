export {
  Child,
  groupAlive,
  runToEnd,
  startChild,
  startDetached,
  stopPid,
  type ChildOptions,
  type Finished,
} from './child.js';
export { fakeProc, type FakeProcess } from './fake-proc.js';
export { freePorts } from './ports.js';
export { alive, readProcStat, type ProcStat } from './proc-stat.js';
export { processTree, readProcessTable, type ProcessTable } from './process-tree.js';
export { stdoutLines } from './stdout-lines.js';
export { listening, sleep, waitFor } from './wait-for.js';
export { which } from './which.js';
