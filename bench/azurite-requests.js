// Summarises an Azurite --debug log: the requests by service, method and kind (blob, container, table entity,
// batch, ...), with their count, server time (mean, p95, sum) and when the first and last started, in seconds
// after the first request. Usage: node bench/azurite-requests.js DEBUG_LOG [--timeline]
// --timeline also prints every request in start order (useful for short runs such as a no-op).
"use strict";
const fs = require("fs");

const [file, flag] = process.argv.slice(2);
if (!file) {
  console.error("usage: node azurite-requests.js DEBUG_LOG [--timeline]");
  process.exit(2);
}

const start = /^(\S+) (\S+) \w+: (Blob|Table|Queue)StorageContextMiddleware: RequestMethod=(\w+) RequestURL=http:\/\/[^/]+\/devstoreaccount1(\S*)/;
const end = /^(\S+) (\S+) \w+: EndMiddleware: End response\. TotalTimeInMS=(\d+)/;
const requests = new Map();
for (const line of fs.readFileSync(file, "utf8").split("\n")) {
  let m = start.exec(line);
  if (m) {
    requests.set(m[2], { at: Date.parse(m[1]), service: m[3], method: m[4], url: m[5] });
    continue;
  }
  m = end.exec(line);
  if (m && requests.has(m[2])) {
    requests.get(m[2]).ms = Number(m[3]);
  }
}

// The kind of a request: the table or "blob"/"container", plus the comp= operation (block, blocklist, list...).
function kind(r) {
  const [path, query = ""] = r.url.split("?");
  const parts = path.split("/").filter(Boolean);
  const comp = /(?:^|&)comp=(\w+)/.exec(query);
  let what;
  if (r.service === "Table") {
    what = (parts[0] || "").replace(/\(.*$/, parts[0] && parts[0].includes("(") ? "(…)" : "");
  } else {
    what = parts.length > 1 ? "blob" : "container";
  }
  return `${r.service} ${r.method} ${what}${comp ? ` comp=${comp[1]}` : ""}`;
}

const done = [...requests.values()].filter(r => r.ms !== undefined).sort((a, b) => a.at - b.at);
if (done.length === 0) {
  console.log("no finished requests in the log");
  process.exit(0);
}
const t0 = done[0].at;
const groups = new Map();
for (const r of done) {
  const k = kind(r);
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
console.log(`${done.length} requests over ${((done[done.length - 1].at - t0) / 1000).toFixed(2)} s`);
console.log("count  mean ms  p95 ms   sum s  first s  last s  kind");
for (const [k, rs] of [...groups.entries()].sort((a, b) => b[1].length - a[1].length)) {
  const ms = rs.map(r => r.ms).sort((a, b) => a - b);
  const sum = ms.reduce((s, x) => s + x, 0);
  const pad = (x, n) => String(x).padStart(n);
  console.log(`${pad(rs.length, 5)} ${pad((sum / ms.length).toFixed(1), 8)} ${pad(ms[Math.floor(ms.length * 0.95)], 7)} ` +
    `${pad((sum / 1000).toFixed(2), 7)} ${pad(((rs[0].at - t0) / 1000).toFixed(2), 8)} ${pad(((rs[rs.length - 1].at - t0) / 1000).toFixed(2), 7)}  ${k}`);
}
if (flag === "--timeline") {
  console.log("\nstart s  server ms  request");
  for (const r of done) {
    const url = r.url.replace(/sig=[^&]*/, "sig=…").replace(/\$format=[^&]*&?/, "").slice(0, 110);
    console.log(`${((r.at - t0) / 1000).toFixed(3).padStart(7)} ${String(r.ms).padStart(10)}  ${r.service} ${r.method} ${url}`);
  }
}
