// ajv 8 on the same schema files and data as stripe-contract: JSON.parse and
// a compiled validator per line, in one Node process (one core).
//
//   node ajv.js SCHEMA_DIR FILE.ndjson
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
// Prints one JSON line: {"lines":N,"valid":V,"seconds":S,"payloads_per_second":R,
// "compile_seconds":C,"compiled":K,"added":A,"verdicts":"0101..."} where
// verdicts holds each line's verdict (1 valid), so the harness can compare
// ajv and stripe-contract line by line, and compile_seconds is the part of
// S spent adding and compiling schemas.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");

const [schemaDir, file] = process.argv.slice(2);
if (!schemaDir || !file) {
  console.error("usage: node ajv.js SCHEMA_DIR FILE.ndjson");
  process.exit(2);
}

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

const data = fs.readFileSync(file);
const verdicts = [];
let lines = 0, valid = 0;
const start = process.hrtime.bigint();
let from = 0;
while (from < data.length) {
  let to = data.indexOf(10, from);
  if (to < 0) to = data.length;
  if (to > from) {
    let doc, parsed = true;
    try {
      doc = JSON.parse(data.toString("utf8", from, to));
    } catch (e) {
      parsed = false; // not JSON: invalid
    }
    const f = parsed ? fileOf(doc) : null;
    // A schema that does not compile is fatal, not a verdict.
    const ok = f !== null && validatorOf(f)(doc);
    lines++;
    if (ok) valid++;
    verdicts.push(ok ? "1" : "0");
  }
  from = to + 1;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({
  lines, valid, seconds, payloads_per_second: lines / seconds, compile_seconds: Number(compileNs) / 1e9,
  compiled: validators.size, added: added.size, verdicts: verdicts.join(""),
}));
