// ajv 8 on the same schema files and data as stripe-contract: JSON.parse and
// a compiled validator per line, in one Node process (one core), or split
// over worker threads.
//
//   node ajv.js SCHEMA_DIR FILE.ndjson [THREADS]
//
// Each line is checked against the schema of its kind, found as
// stripe-contract finds it: its "object" member names a resource of the
// version (index.json; "deleted": true picks the deleted form), a list, a
// search result or an event; without one, an "error" member makes it an
// error envelope; anything else is invalid. A kind's file is compiled on
// its first line, after adding (addSchema) the files it reaches through
// $ref, so the timed loop includes compiling what the data needs, as the
// stripe-contract binary's run does.
//
// With THREADS over 1 (node's worker_threads), the file, read once into a
// SharedArrayBuffer, is split at line boundaries into THREADS byte ranges
// of about equal size; each thread makes its own Ajv instance, compiles
// the schemas its lines need and checks its range. The time runs from
// starting the threads to the last one's answer: start-up and each
// thread's compiling included.
//
// Prints one JSON line: {"lines":N,"valid":V,"seconds":S,"payloads_per_second":R,
// "compile_seconds":C,"compiled":K,"added":A,"threads":T,"verdicts":"0101..."}
// where verdicts holds each line's verdict (1 valid), in file order, so the
// harness can compare ajv and stripe-contract line by line, and
// compile_seconds is the part of S spent adding and compiling schemas (with
// threads, the longest of theirs; compiled and added are the first
// thread's).
"use strict";
const fs = require("fs");
const path = require("path");
const { Worker, isMainThread, workerData, parentPort } = require("worker_threads");
const Ajv2020 = require("ajv/dist/2020");

// checker returns a function that checks one parsed document against its
// kind's schema in schemaDir, compiling on first use, and its statistics.
function checker(schemaDir) {
  // strict: false lets the schema files' x-* annotation keywords through.
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  const index = JSON.parse(fs.readFileSync(path.join(schemaDir, "index.json"), "utf8"));
  const resourceFile = new Map(); // "object" or "object\0deleted" -> file
  for (const r of index.resources) resourceFile.set(r.deleted ? r.object + "\0deleted" : r.object, r.file);

  const added = new Set();
  const ids = new Map(); // file -> $id
  // refs adds to out the files a schema's $ref keywords name (not the
  // x-* annotations, whose "$ref" members are rule IDs).
  function refs(node, out) {
    if (Array.isArray(node)) {
      for (const e of node) refs(e, out);
    } else if (node !== null && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string") {
          const f = v.split("#")[0];
          if (f) out.push(f);
        } else if (!k.startsWith("x-")) refs(v, out);
      }
    }
  }
  // add adds file and every file it reaches through $ref.
  function add(name) {
    const todo = [name];
    while (todo.length) {
      const f = todo.pop();
      if (added.has(f)) continue;
      added.add(f);
      const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, f), "utf8"));
      ajv.addSchema(schema);
      ids.set(f, schema.$id);
      refs(schema, todo);
    }
  }

  const validators = new Map(); // file -> compiled validator
  let compileNs = 0n;
  function validatorOf(f) {
    let v = validators.get(f);
    if (!v) {
      const t = process.hrtime.bigint();
      add(f);
      v = ajv.getSchema(ids.get(f));
      validators.set(f, v);
      compileNs += process.hrtime.bigint() - t;
    }
    return v;
  }

  function fileOf(doc) {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return null;
    const o = doc.object;
    if (typeof o === "string") {
      if (o === "list" || o === "search_result" || o === "event") return index.envelopes[o];
      return resourceFile.get(doc.deleted === true ? o + "\0deleted" : o) || null;
    }
    if (o === undefined && "error" in doc) return index.envelopes.error;
    return null;
  }

  const check = (doc) => {
    const f = fileOf(doc);
    // A schema that does not compile is fatal, not a verdict.
    return f !== null && validatorOf(f)(doc);
  };
  return { check, stats: () => ({ compileNs, compiled: validators.size, added: added.size }) };
}

// checkRange checks the lines of data[from, to) against the schema files
// in schemaDir and returns their verdicts.
function checkRange(schemaDir, data, from, to) {
  const { check, stats } = checker(schemaDir);
  const verdicts = [];
  let lines = 0, valid = 0;
  while (from < to) {
    let end = data.indexOf(10, from);
    if (end < 0 || end > to) end = to;
    if (end > from) {
      let doc, parsed = true;
      try {
        doc = JSON.parse(data.toString("utf8", from, end));
      } catch (e) {
        parsed = false; // not JSON: invalid
      }
      const ok = parsed && check(doc);
      lines++;
      if (ok) valid++;
      verdicts.push(ok ? "1" : "0");
    }
    from = end + 1;
  }
  return { lines, valid, verdicts: verdicts.join(""), ...stats() };
}

function main() {
  const [schemaDir, file, threadsArg] = process.argv.slice(2);
  const threads = Number(threadsArg || 1);
  if (!schemaDir || !file || !Number.isInteger(threads) || threads < 1) {
    console.error("usage: node ajv.js SCHEMA_DIR FILE.ndjson [THREADS]");
    process.exit(2);
  }
  const print = (r, seconds, compileNs) => console.log(JSON.stringify({
    lines: r.lines, valid: r.valid, seconds, payloads_per_second: r.lines / seconds, compile_seconds: Number(compileNs) / 1e9,
    compiled: r.compiled, added: r.added, threads, verdicts: r.verdicts,
  }));
  if (threads === 1) {
    const data = fs.readFileSync(file);
    const start = process.hrtime.bigint();
    const r = checkRange(schemaDir, data, 0, data.length);
    print(r, Number(process.hrtime.bigint() - start) / 1e9, r.compileNs);
    return;
  }
  const size = fs.statSync(file).size;
  const shared = new SharedArrayBuffer(size);
  const data = Buffer.from(shared);
  const fd = fs.openSync(file, "r");
  for (let off = 0; off < size;) off += fs.readSync(fd, data, off, size - off, off);
  fs.closeSync(fd);
  // Each range but the last ends after a newline: no line is cut.
  const bounds = [0];
  for (let t = 1; t < threads; t++) {
    const nl = data.indexOf(10, Math.max(bounds[t - 1], Math.floor((size * t) / threads)));
    bounds.push(nl < 0 ? size : nl + 1);
  }
  bounds.push(size);
  const start = process.hrtime.bigint();
  const runs = [];
  for (let t = 0; t < threads; t++) {
    runs.push(new Promise((resolve, reject) => {
      const w = new Worker(__filename, { workerData: { schemaDir, shared, from: bounds[t], to: bounds[t + 1] } });
      w.once("message", resolve);
      w.once("error", reject);
      w.once("exit", (code) => code !== 0 && reject(new Error("worker thread exited " + code)));
    }));
  }
  Promise.all(runs).then((rs) => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const r = { lines: 0, valid: 0, verdicts: "", compiled: rs[0].compiled, added: rs[0].added };
    let compileNs = 0n;
    for (const x of rs) {
      r.lines += x.lines;
      r.valid += x.valid;
      r.verdicts += x.verdicts;
      if (x.compileNs > compileNs) compileNs = x.compileNs;
    }
    print(r, seconds, compileNs);
  }, (err) => {
    console.error("ajv.js:", err);
    process.exit(1);
  });
}

if (isMainThread) {
  main();
} else {
  const { schemaDir, shared, from, to } = workerData;
  parentPort.postMessage(checkRange(schemaDir, Buffer.from(shared), from, to));
}
