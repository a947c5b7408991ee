// `node scripts/otlp-descriptor.mjs`: turns the vendored OTLP .proto files (src/otlp/proto/, copied
// unchanged from open-telemetry/opentelemetry-proto) into the protobufjs JSON descriptor that
// POST /v1/traces decodes with (src/otlp/proto/descriptor.json). The JSON is what gets bundled:
// dist/ and the image carry no .proto files. src/otlp/protobuf.test.ts fails when the two differ.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const dir = fileURLToPath(new URL("../src/otlp/proto/", import.meta.url));

/** The descriptor of ExportTraceServiceRequest/Response and everything they use. */
export function otlpDescriptor() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${dir}${target}`;
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
  return root.toJSON();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(`${dir}descriptor.json`, `${JSON.stringify(otlpDescriptor(), null, 2)}\n`);
}
