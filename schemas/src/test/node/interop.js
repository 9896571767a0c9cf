'use strict';
// Interoperability check, driven by NodeInteropIT (see schemas/README.md).
// An independent Confluent-ecosystem client (@kafkajs/confluent-schema-registry, on avsc) decodes Confluent-framed
// Avro bytes that the Java serializer published, and encodes records for the Java deserializer, both against the same
// schema registry. Usage: node interop.js <request.json> <response.json>
//   request:  { "registryUrl": "...", "decode": ["<base64 frame>", ...],
//               "encode": [{ "subject": "<topic>-value", "record": { ... } }, ...] }
//   response: { "decoded": [<record as JSON>, ...], "encoded": [{ "id": <schema id>, "base64": "..." }, ...] }
const fs = require('fs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

async function main() {
  const [requestFile, responseFile] = process.argv.slice(2);
  if (!requestFile || !responseFile) {
    throw new Error('usage: node interop.js <request.json> <response.json>');
  }
  const request = JSON.parse(fs.readFileSync(requestFile, 'utf8'));
  const registry = new SchemaRegistry({ host: request.registryUrl });
  const decoded = [];
  for (const frame of request.decode) {
    decoded.push(await registry.decode(Buffer.from(frame, 'base64')));
  }
  const encoded = [];
  for (const item of request.encode) {
    const id = await registry.getLatestSchemaId(item.subject);
    const bytes = await registry.encode(id, item.record);
    encoded.push({ id, base64: bytes.toString('base64') });
  }
  fs.writeFileSync(responseFile, JSON.stringify({ decoded, encoded }));
}

main().catch((error) => {
  console.error(`interop failed: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
