// What a loopback Graph drive (syncfn graph-dev) holds, read through Graph itself: a full delta enumeration,
// last record per item id wins, deleted items dropped. Prints "FILES BYTES" (the files and their total size),
// which bench/graph.sh compares with the blob container after a sync. Reading every page also makes the dev
// server compute the content hashes it computes lazily on first use (a real drive has them already), so the
// timed first sync does not pay for them.
// Usage: node bench/graph-drive.js BASE_URL DRIVE_ID
"use strict";

const [base, drive] = process.argv.slice(2);
if (!base || !drive) {
  console.error("usage: node graph-drive.js BASE_URL DRIVE_ID");
  process.exit(2);
}

async function main() {
  const items = new Map();
  let url = `${base}/drives/${encodeURIComponent(drive)}/items/root/delta()?$top=1000`;
  for (let pages = 0; url; pages++) {
    if (pages > 100000) throw new Error("more than 100,000 delta pages");
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    const page = await response.json();
    for (const item of page.value) items.set(item.id, item);
    url = page["@odata.nextLink"];
  }
  let files = 0;
  let bytes = 0;
  for (const item of items.values()) {
    if (item.file && !item.deleted) {
      files++;
      bytes += item.size;
    }
  }
  console.log(`${files} ${bytes}`);
}

main().catch(e => {
  console.error(String(e));
  process.exit(1);
});
