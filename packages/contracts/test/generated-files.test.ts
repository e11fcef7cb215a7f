import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { makeEvent, topicNames, topics } from '../src/index.ts';
import { generatedFiles, schemaFileName } from '../src/json-schema.ts';
import { sampleData } from './samples.ts';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const regenerate = 'run `npm run generate:schemas -w packages/contracts` and commit the result';

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
        const schema = JSON.parse(await readFile(join(packageRoot, 'schemas', schemaFileName(topic, type)), 'utf8'));
        const validate = ajv.compile(schema);
        const event = JSON.parse(
          JSON.stringify(
            makeEvent(type, { source: 'tasks', subject: 's', actor: { id: 'u', kind: 'user' }, data: sampleData[type] as never }),
          ),
        );
        assert.equal(validate(event), true, `${type}: ${JSON.stringify(validate.errors)}`);
        assert.equal(validate({ ...event, extra: true }), false, `${type} must reject unknown fields`);
        assert.equal(validate({ ...event, time: '2025-03-01T10:00:00' }), false, `${type} must reject a time without offset`);
      }
    }
  });

  it('when reading asyncapi.json, then every topic is a channel whose messages reference existing schema files', async () => {
    const doc = JSON.parse(await readFile(join(packageRoot, 'asyncapi.json'), 'utf8'));
    assert.equal(doc.asyncapi, '3.0.0');
    assert.deepEqual(Object.keys(doc.channels), topicNames);
    for (const topic of topicNames) {
      assert.deepEqual(Object.keys(doc.channels[topic].messages), [...topics[topic]]);
      for (const type of topics[topic]) {
        const ref: string = doc.components.messages[type].payload.schema.$ref;
        await readFile(join(packageRoot, ref), 'utf8');
      }
    }
  });
});
