import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { makeEvent, topicNames, topics } from '../src/index.ts';
import { generatedFiles, schemaFileName } from '../src/json-schema.ts';
import { sampleData } from './samples.ts';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const regenerate = 'run `npm run generate:schemas -w packages/contracts` and commit the result';

const jsonObject = z.record(z.string(), z.unknown());
// Only the parts of asyncapi.json the test reads; other fields pass through unchecked.
const asyncApiDocument = z.object({
  asyncapi: z.string(),
  channels: z.record(z.string(), z.object({ messages: jsonObject })),
  components: z.object({
    messages: z.record(z.string(), z.object({ payload: z.object({ schema: z.object({ $ref: z.string() }) }) })),
  }),
});

describe('generated JSON Schema and AsyncAPI files', () => {
  it('when compared with the zod source, then every committed file is up to date', async () => {
    for (const [relativePath, expected] of generatedFiles()) {
      const actual = await readFile(join(packageRoot, relativePath), 'utf8').catch(() => '<missing>');
      assert.equal(actual, expected, `${relativePath} is stale: ${regenerate}`);
    }
  });

  it('when listing schemas/, then it holds no file the zod source does not produce', async () => {
    const expected = [...generatedFiles().keys()].filter((path) => path.startsWith('schemas/')).sort();
    const actual = (await readdir(join(packageRoot, 'schemas'))).map((name) => `schemas/${name}`).sort();
    assert.deepEqual(actual, expected, regenerate);
  });

  it('when a non-TypeScript consumer validates with the committed JSON Schemas, then they agree with zod', async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
    for (const topic of topicNames) {
      for (const type of topics[topic]) {
        const schema = jsonObject.parse(JSON.parse(await readFile(join(packageRoot, 'schemas', schemaFileName(topic, type)), 'utf8')));
        const validate = ajv.compile(schema);
        const event = jsonObject.parse(
          JSON.parse(
            JSON.stringify(
              makeEvent(type, { source: 'tasks', subject: 's', actor: { id: 'u', kind: 'user' }, data: sampleData[type] }),
            ),
          ),
        );
        assert.equal(validate(event), true, `${type}: ${JSON.stringify(validate.errors)}`);
        assert.equal(validate({ ...event, extra: true }), false, `${type} must reject unknown fields`);
        assert.equal(validate({ ...event, time: '2025-03-01T10:00:00' }), false, `${type} must reject a time without offset`);
      }
    }
  });

  it('when reading asyncapi.json, then every topic is a channel whose messages reference existing schema files', async () => {
    const doc = asyncApiDocument.parse(JSON.parse(await readFile(join(packageRoot, 'asyncapi.json'), 'utf8')));
    assert.equal(doc.asyncapi, '3.0.0');
    assert.deepEqual(Object.keys(doc.channels), topicNames);
    for (const topic of topicNames) {
      const channel = doc.channels[topic];
      assert.ok(channel, `asyncapi.json has no channel ${topic}`);
      assert.deepEqual(Object.keys(channel.messages), [...topics[topic]]);
      for (const type of topics[topic]) {
        const message = doc.components.messages[type];
        assert.ok(message, `asyncapi.json has no message ${type}`);
        const ref = message.payload.schema.$ref;
        await readFile(join(packageRoot, ref), 'utf8');
      }
    }
  });
});
