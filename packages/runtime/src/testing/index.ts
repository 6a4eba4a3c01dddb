export { describeStoreConformance, type ConformanceStore } from './conformance.js';
