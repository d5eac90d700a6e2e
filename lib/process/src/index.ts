export {
  alive,
  Child,
  runToEnd,
  startChild,
  startDetached,
  stopPid,
  type ChildOptions,
  type Finished,
} from './child.js';
export { freePorts } from './ports.js';
export { listening, sleep, waitFor } from './wait-for.js';
