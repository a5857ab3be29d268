// A free TCP port on 127.0.0.1 for a throwaway server (sshd, PostgreSQL) started by tests and benchmarks.
import net from 'node:net';

/** Asks the kernel for a free port; the caller retries on the rare race where it is taken before use. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
