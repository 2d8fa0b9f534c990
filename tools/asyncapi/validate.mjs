// Validate an AsyncAPI document with the official parser; exit 1 on any error diagnostic.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const path = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(path, "utf8"));
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) {
  const level = ["error", "warning", "info", "hint"][d.severity];
  console.log(`${level}: ${d.code}: ${d.message} at ${d.path.join(".")}`);
}
if (!document || errors.length > 0) {
  console.error(`${path}: ${errors.length} error(s)`);
  process.exit(1);
}
console.log(`${path}: valid AsyncAPI ${document.version()}, ` +
  `${document.messages().length} messages, ${document.channels().length} channels`);
