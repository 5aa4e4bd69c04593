import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';

/**
 * Writes a generated file the way `pnpm check` wants it (the repository's prettier settings),
 * so results and the report never fail the format check.
 */
export async function writeFormatted(path: string, text: string): Promise<void> {
  writeFileSync(path, await formatted(path, text));
}

export async function formatted(path: string, text: string): Promise<string> {
  const options = (await resolveConfig(path)) ?? {};
  return format(text, { ...options, filepath: path });
}
