// Jest runs each test file in a vm context with its own Float32Array, BigInt64Array, ... Native
// addons (onnxruntime-node, sharp) create typed arrays of the main realm, and onnxruntime checks
// `data instanceof Float32Array`: across realms that check fails. This environment gives the test
// context the main realm's typed array constructors, as a real Node process has.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
