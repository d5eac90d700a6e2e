export * from './browser-check.js';
