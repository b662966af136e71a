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
process.exit(failed === 0 && passed >= 20 ? 0 : 1);
