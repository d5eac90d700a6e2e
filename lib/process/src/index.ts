export {
  alive,
  Child,
  runToEnd,
  startChild,
  stopPid,
  type ChildOptions,
  type Finished,
} from './child.js';
export { listening, sleep, waitFor } from './wait-for.js';
