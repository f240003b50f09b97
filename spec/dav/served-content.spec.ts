import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './harness.js';

describe('dav: served user content never runs on the server origin', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.request('PUT', '/page.html', { body: '<script>document.title = "ran"</script>' });
    await server.request('PUT', '/drawing.svg', { body: '<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=1"/>' });
    await server.request('PUT', '/notes', { body: '<html><script>alert(1)</script>' });
    await server.request('PUT', '/report.pdf', { body: '%PDF-1.4 not really' });
  });
  after(() => server.close());

  for (const path of ['/page.html', '/drawing.svg', '/notes']) {
    it(`serves ${path} sandboxed (CSP sandbox: no script, an origin of its own) and unsniffed`, async () => {
      for (const method of ['GET', 'HEAD']) {
        const res = await server.request(method, path);
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-security-policy'], 'sandbox', `${method} ${path}`);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', `${method} ${path}`);
      }
    });
  }

  it('keeps the safety headers on a byte range', async () => {
    const res = await server.request('GET', '/page.html', { headers: { Range: 'bytes=0-3' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-security-policy'], 'sandbox');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('serves a PDF unsandboxed (Chromium will not show a sandboxed PDF) but unsniffed, as application/pdf', async () => {
    const res = await server.request('GET', '/report.pdf');
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['content-security-policy'], undefined);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });
});
