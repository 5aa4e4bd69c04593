import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCLinter } from 'dclint';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILE } from './support/paths';

// Every rule on, warnings included, except the top-level `name:`: Dokploy names the project
// itself (`docker compose -p <app>`), so a name in the file would only mislead.
const linter = new DCLinter({
  rules: { 'require-project-name-field': 0 },
  quiet: false,
  debug: false,
  exclude: [],
});

const scratch = mkdtempSync(join(tmpdir(), 'chat-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('compose-spec validation (dclint)', () => {
  it('passes docker-compose.dokploy.yml with no error and no warning', () => {
    const [result] = linter.lintFiles([COMPOSE_FILE], false);
    expect(result!.messages).toEqual([]);
  });

  it('rejects a file that breaks the compose schema, so the check above is live', () => {
    const broken = join(scratch, 'docker-compose.yml');
    writeFileSync(broken, 'services:\n  api:\n    image: x\n    healthcheck: yes-please\n');
    const [result] = linter.lintFiles([broken], false);
    expect(result!.errorCount).toBeGreaterThan(0);
    expect(result!.messages.map((message) => message.rule)).toContain('invalid-schema');
  });
});
