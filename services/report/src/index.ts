export * from './report.js';
export { readReport, REPORT_SCHEMA_FILE, validateReport } from './validate.js';
export { ReportError, type ReportErrorCode } from './errors.js';
export { formatField } from './format.js';
export { formatTable } from './table.js';
export { rawValue, renderHtml } from './html.js';
export { formatComparison } from './compare.js';
