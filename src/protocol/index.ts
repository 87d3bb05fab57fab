export * from './constants.js';
export * from './frame.js';
export * from './frame-encoder.js';
export * from './frame-decoder.js';
export * from './messages.js';
export * from './message-validation.js';
export * from './flow-control.js';
export * from './hello.js';
