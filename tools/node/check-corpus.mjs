// The contact-file JSON Schema gives the expected verdict on every file of spec/corpus/ in ajv
// (strict mode, draft 2020-12) with ajv-formats: the same verdicts the Rust test checks.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const schema = JSON.parse(readFileSync(join(root, "generated/schema/contact-file.schema.json"), "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

let passed = 0;
let failed = 0;
for (const [verdict, expected] of [["valid", true], ["invalid", false]]) {
  const dir = join(root, "spec/corpus", verdict);
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const data = JSON.parse(readFileSync(join(dir, name), "utf8"));
    const ok = validate(data);
    if (ok === expected) {
      passed++;
    } else {
      failed++;
      console.error(`${verdict}/${name}: expected ${verdict}, ajv says ${ok ? "valid" : "invalid"}`, validate.errors ?? "");
    }
  }
}
console.log(`ajv corpus: ${passed} passed, ${failed} failed`);

// A generated file (`cargo xtask test` writes it with alpharun-synth): ajv must find exactly
// the contacts the generator spoiled.
let parityOk = true;
const [generated, expectedPath] = process.argv.slice(2);
if (generated) {
  const contacts = JSON.parse(readFileSync(generated, "utf8"));
  const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
  const invalid = contacts.flatMap((contact, index) => (validate([contact]) ? [] : [index]));
  parityOk = JSON.stringify(invalid) === JSON.stringify(expected) && expected.length > 0;
  console.log(`ajv on ${contacts.length} generated contacts: ${invalid.length} invalid, ${expected.length} spoiled: ${parityOk ? "same" : "DIFFERENT"}`);
  if (!parityOk) {
    console.error("ajv:", invalid.slice(0, 20), "expected:", expected.slice(0, 20));
  }
}
process.exit(failed === 0 && passed >= 20 && parityOk ? 0 : 1);
