// Loaded with `node --import` by test/cli/run-output.test.ts: counts the writes the process makes to its
// standard output (process.stdout.write, and fs.writeSync on descriptor 1) and the most it ever had
// queued in process.stdout (writableLength: what a slow pipe reader has not taken yet), and at exit writes
// both to the file named by $STDOUT_WRITES as JSON. Plain JavaScript: node loads it before anything else.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const file = process.env.STDOUT_WRITES;
if (file) {
  let writes = 0;
  let mostQueued = 0;
  const stdout = process.stdout;
  const write = stdout.write;
  stdout.write = function countedWrite(...args) {
    writes++;
    const result = write.apply(this, args);
    mostQueued = Math.max(mostQueued, stdout.writableLength);
    return result;
  };
  const writeSync = fs.writeSync;
  fs.writeSync = function countedWriteSync(fd, ...rest) {
    if (fd === 1) writes++;
    return writeSync.call(this, fd, ...rest);
  };
  // `import { writeSync } from 'node:fs'` sees the counted one too.
  syncBuiltinESMExports();
  process.on('exit', () => writeSync(fs.openSync(file, 'w'), JSON.stringify({ writes, mostQueued })));
}
