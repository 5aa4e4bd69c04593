import { readFileSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface Step {
  keyword: string;
  /** The arguments as written, continuation lines joined. */
  text: string;
  arguments: string[];
  flags: Record<string, string>;
  /** `KEY=value` pairs of ARG and ENV. */
  properties: Record<string, string>;
}

export interface Stage {
  name: string;
  from: string;
  steps: Step[];
}

export interface ParsedDockerfile {
  content: string;
  stages: Stage[];
  /** The last stage: what the image runs. */
  final: Stage;
  stage(name: string): Stage;
}

function toStep(instruction: Instruction): Step {
  const flags: Record<string, string> = {};
  const withFlags = instruction as Instruction & {
    getFlags?: () => { getName(): string; getValue(): string | null }[];
  };
  for (const flag of withFlags.getFlags?.() ?? []) flags[flag.getName()] = flag.getValue() ?? '';
  const properties: Record<string, string> = {};
  const withProperties = instruction as Instruction & {
    getProperties?: () => { getName(): string; getValue(): string | null }[];
  };
  for (const property of withProperties.getProperties?.() ?? []) {
    properties[property.getName()] = property.getValue() ?? '';
  }
  const argumentsList = instruction.getArguments().map((argument) => argument.getValue());
  return {
    keyword: instruction.getKeyword(),
    text: argumentsList.join(' '),
    arguments: argumentsList,
    flags,
    properties,
  };
}

export function parseDockerfile(path: string): ParsedDockerfile {
  const content = readFileSync(path, 'utf8');
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(content).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, as, name] = instruction.getArguments().map((argument) => argument.getValue());
      stages.push({
        name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length),
        from: image ?? '',
        steps: [],
      });
    } else if (stages.length > 0) {
      stages.at(-1)!.steps.push(toStep(instruction));
    }
  }
  if (stages.length === 0) throw new Error(`${path}: no FROM`);
  return {
    content,
    stages,
    final: stages.at(-1)!,
    stage(name) {
      const found = stages.find((stage) => stage.name === name);
      if (!found) throw new Error(`${path}: no stage ${name}`);
      return found;
    },
  };
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK CMD, or null for the shell form. */
export function execForm(text: string): string[] | null {
  const json = text.replace(/^CMD\s+/, '');
  if (!json.startsWith('[')) return null;
  return JSON.parse(json) as string[];
}

/** Steps of a stage, with the index of each, so tests can compare their order. */
export function stepsOf(stage: Stage, keyword: string): (Step & { index: number })[] {
  return stage.steps
    .map((step, index) => ({ ...step, index }))
    .filter((step) => step.keyword === keyword);
}

/** Whether `.dockerignore` leaves `path` (relative to the context) in the build context. */
export function inBuildContext(dockerignore: string, path: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const segments = path.split('/');
  // A pattern that matches a directory excludes everything below it; the last match wins.
  let included = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    for (let length = 1; length <= segments.length; length += 1) {
      const candidate = segments.slice(0, length).join('/');
      if (candidate === glob || matchesGlob(candidate, glob)) {
        included = negated;
        break;
      }
    }
  }
  return included;
}
