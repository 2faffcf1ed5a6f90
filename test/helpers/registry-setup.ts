// Every test file starts with the protocol registry loaded, as every entry point (the CLI, the
// package index, fuzz workers) does: scenario loading reads each protocol's scenario keys from
// its definition through it (src/scenario/protocol-shape.ts), even in a test that imports no run/ module.
import '../../src/run/registry.js';
