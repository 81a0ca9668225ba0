// A counting HTTP proxy for one Azurite service port: bench/graph.sh points syncfn's TableEndpoint here, so the
// Table requests of one syncfn process can be counted exactly (syncfn is the only client of this port) without
// Azurite's --debug log, which slows every request of the large first syncs down.
// Usage: node bench/count-proxy.js TARGET_PORT
// Listens on a free 127.0.0.1 port and prints it on stdout ("count-proxy listening on PORT"). Requests and
// responses are piped through unchanged (the Host header too: Shared Key signatures do not cover it).
// Its own control paths (never sent by the Azure SDK):
//   POST /_count/reset  starts counting from zero (204)
//   GET  /_count        {"requests": N, "byKind": {"GET Pairs": 2, ...}, "timeline": [[ms, "GET /…", status, server ms], …]}
"use strict";
const http = require("http");

const targetPort = Number(process.argv[2]);
if (!targetPort) {
  console.error("usage: node count-proxy.js TARGET_PORT");
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let since = Date.now();
let requests = [];

// The kind of a table request: method and table (entity keys and query options dropped), "$batch" kept.
function kind(method, url) {
  const path = url.split("?")[0].replace(/^\/devstoreaccount1/, "");
  const table = (path.split("/").filter(Boolean)[0] || "").replace(/\(.*$/, "");
  return `${method} ${table || "/"}`;
}

function control(req, res) {
  if (req.method === "POST" && req.url === "/_count/reset") {
    since = Date.now();
    requests = [];
    res.writeHead(204).end();
    return;
  }
  const byKind = {};
  for (const r of requests) byKind[r.kind] = (byKind[r.kind] || 0) + 1;
  const timeline = requests.map(r => [r.at, r.line, r.status, r.ms]);
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ requests: requests.length, byKind, timeline }));
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith("/_count")) {
    control(req, res);
    return;
  }
  const started = Date.now();
  const record = {
    at: started - since, kind: kind(req.method, req.url),
    line: `${req.method} ${decodeURIComponent(req.url.replace(/^\/devstoreaccount1/, "")).slice(0, 160)}`,
    status: 0, ms: 0,
  };
  requests.push(record);
  const upstream = http.request(
    { host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers, agent },
    reply => {
      record.status = reply.statusCode;
      res.writeHead(reply.statusCode, reply.rawHeaders);
      reply.pipe(res);
      reply.on("end", () => { record.ms = Date.now() - started; });
    });
  upstream.on("error", e => {
    record.status = 599;
    if (!res.headersSent) res.writeHead(502);
    res.end(String(e));
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 120000;
server.listen(0, "127.0.0.1", () => console.log(`count-proxy listening on ${server.address().port}`));
