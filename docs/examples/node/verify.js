'use strict';
// A registration service's side of egoi-verify in Node.js (docs/CLIENTS.md, "Examples").
//   node verify.js request <requestId> <phone> | submit <requestId> <code> | outcomes [<requestId> [seconds]]
// BOOTSTRAP and REGISTRY (environment) default to e2e/local-stack's addresses.
const crypto = require('crypto');
const { Kafka } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

const kafka = new Kafka({ clientId: 'example', brokers: [process.env.BOOTSTRAP || '127.0.0.1:19092'] });
const registry = new SchemaRegistry({ host: process.env.REGISTRY || 'http://127.0.0.1:18081/apis/ccompat/v7' });
const OUTCOMES = ['sent', 'resend-rejected', 'code-rejected', 'verified', 'expired', 'cancelled', 'failed']
  .map((t) => `verification.${t}`);
const TERMINAL = new Set(['verification.verified', 'verification.expired', 'verification.cancelled',
  'verification.failed']);

async function publish(topic, requestId, record) {
  // The registered schema of <topic>-value (egoi-verify schemas register); nothing is registered from here.
  const id = await registry.getLatestSchemaId(`${topic}-value`);
  // idempotent: one write per record even when kafkajs retries; the default partitioner is murmur2 like Java's
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const [meta] = await producer.send({ topic, acks: -1,
    messages: [{ key: requestId, value: await registry.encode(id, record) }] });
  await producer.disconnect();
  console.log(`${topic} ${requestId} -> partition ${meta.partition} offset ${meta.baseOffset}`);
}

async function outcomes(watched, seconds) {
  // readUncommitted: false (kafkajs' default) is isolation.level=read_committed
  const consumer = kafka.consumer({ groupId: `example-${crypto.randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: OUTCOMES, fromBeginning: true });
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  const timer = setTimeout(() => done(false), seconds * 1000);
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const requestId = message.key.toString();
      const outcome = await registry.decode(message.value); // timestamps arrive as epoch milliseconds
      console.log(topic, requestId, JSON.stringify(outcome));
      if (requestId === watched && TERMINAL.has(topic)) done(true);
    },
  });
  const ended = await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  if (watched && !ended) {
    console.error(`no terminal outcome for ${watched} in time`);
    process.exitCode = 1;
  }
}

async function main() {
  const [command, requestId, arg] = process.argv.slice(2);
  const now = Date.now();
  if (command === 'request') {
    // optional fields left out (null) take the service's configured defaults
    await publish('verification.requested', requestId, { requestId, phoneNumber: arg, codeType: null,
      codeSize: null, ttlSeconds: null, message: null, group: null, maxAttempts: null, senderProfile: null,
      requestedAt: now, metadata: { userId: 'u-42' } });
  } else if (command === 'submit') {
    await publish('verification.code-submitted', requestId, { requestId, submissionId: crypto.randomUUID(),
      code: arg, submittedAt: now });
  } else if (command === 'outcomes') {
    await outcomes(requestId, Number(arg || 60));
  } else {
    throw new Error('usage: node verify.js request <id> <phone> | submit <id> <code> | outcomes [<id> [seconds]]');
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
