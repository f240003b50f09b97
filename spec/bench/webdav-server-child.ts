/**
 * Child process for the conformance bench: webdav-server 2.6.3's own v2 WebDAVServer on its
 * in-memory file system, one user with all rights, on 127.0.0.1. Prints "LISTENING <port>".
 * It runs in its own process because known requests crash it (bad percent-encoding, a PROPPATCH
 * with two set blocks, on 2.6.3 any untagged If header); the
 * parent notices the exit and reports it. No uncaughtException handler, on purpose.
 */
import { createServer } from 'node:net';
import webdavServer from 'webdav-server';

const { v2: webdav } = webdavServer;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const [user = 'user', password = 'pass'] = process.argv.slice(2);
const users = new webdav.SimpleUserManager();
const account = users.addUser(user, password, false);
const privileges = new webdav.SimplePathPrivilegeManager();
privileges.setRights(account, '/', ['all']);
const port = await freePort();
const server = new webdav.WebDAVServer({
  httpAuthentication: new webdav.HTTPBasicAuthentication(users, 'webdav-server'),
  privilegeManager: privileges,
  requireAuthentification: true,
  hostname: '127.0.0.1',
  port,
});
server.start(() => {
  process.stdout.write(`LISTENING ${port}\n`);
});
