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
export { listening, sleep, waitFor } from './wait-for.js';
