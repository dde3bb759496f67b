// ajv 8 on the same schema files and data as stripe-contract: JSON.parse and
// a compiled validator per line, in one Node process (one core).
//
//   node ajv.js SCHEMA_DIR FILE.ndjson
//
// Prints one JSON line: {"lines":N,"valid":V,"seconds":S,"payloads_per_second":R,
// "verdicts":"v,i,..."} where verdicts is a digest of the per-line verdicts,
// so the harness can check ajv and stripe-contract agree line by line.
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const Ajv2020 = require("ajv/dist/2020");

const [schemaDir, file] = process.argv.slice(2);
if (!schemaDir || !file) {
  console.error("usage: node ajv.js SCHEMA_DIR FILE.ndjson");
  process.exit(2);
}

// The annotation keywords of the schema files: ajv's strict mode wants them declared.
const ajv = new Ajv2020({ allErrors: false, strictTypes: false });
ajv.addVocabulary(["x-rules", "x-rule", "x-undocumented", "x-rule-definitions", "x-stripe-api-version", "x-generated-from"]);
let rootId = null;
for (const name of fs.readdirSync(schemaDir).filter((n) => n.endsWith(".schema.json")).sort()) {
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8"));
  ajv.addSchema(schema);
  if (name === "invoice_payment.schema.json") rootId = schema.$id;
}
const validate = ajv.getSchema(rootId);

const data = fs.readFileSync(file);
const hash = crypto.createHash("sha256");
let lines = 0, valid = 0;
const start = process.hrtime.bigint();
let from = 0;
while (from < data.length) {
  let to = data.indexOf(10, from);
  if (to < 0) to = data.length;
  if (to > from) {
    let ok = false;
    try {
      ok = validate(JSON.parse(data.toString("utf8", from, to)));
    } catch (e) {
      ok = false;
    }
    lines++;
    if (ok) valid++;
    hash.update(ok ? "1" : "0");
  }
  from = to + 1;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ lines, valid, seconds, payloads_per_second: lines / seconds, verdicts: hash.digest("hex") }));
