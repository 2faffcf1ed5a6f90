#!/usr/bin/env node
import { guardStandardStreams, processIo } from './io.js';
import { run } from './program.js';

const streams = guardStandardStreams();
const exitCode = await run(process.argv.slice(2), processIo());
process.exitCode = streams.exitCodeFor(exitCode);
