/** A directive of an nginx configuration: `name args...;` or `name args... { children }`. */
export interface Directive {
  name: string;
  args: string[];
  children?: Directive[];
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index]!;
    if (/\s/.test(character)) {
      index += 1;
    } else if (character === '#') {
      while (index < text.length && text[index] !== '\n') index += 1;
    } else if (character === '{' || character === '}' || character === ';') {
      tokens.push(character);
      index += 1;
    } else if (character === '"' || character === "'") {
      const end = text.indexOf(character, index + 1);
      if (end < 0) throw new Error('unterminated quote');
      tokens.push(text.slice(index + 1, end));
      index = end + 1;
    } else {
      let end = index;
      while (end < text.length && !/[\s{};]/.test(text[end]!)) end += 1;
      tokens.push(text.slice(index, end));
      index = end;
    }
  }
  return tokens;
}

/** Parses nginx configuration text into a directive tree. */
export function parseNginx(text: string): Directive[] {
  const tokens = tokenize(text);
  let position = 0;
  const block = (): Directive[] => {
    const directives: Directive[] = [];
    while (position < tokens.length && tokens[position] !== '}') {
      const name = tokens[position++]!;
      const args: string[] = [];
      while (position < tokens.length && tokens[position] !== ';' && tokens[position] !== '{') {
        args.push(tokens[position++]!);
      }
      const terminator = tokens[position++];
      if (terminator === '{') {
        directives.push({ name, args, children: block() });
        if (tokens[position++] !== '}') throw new Error(`unclosed block ${name}`);
      } else if (terminator === ';') {
        directives.push({ name, args });
      } else {
        throw new Error(`directive ${name} is not terminated`);
      }
    }
    return directives;
  };
  const tree = block();
  if (position !== tokens.length) throw new Error('unbalanced "}"');
  return tree;
}

export function find(directives: Directive[], name: string, firstArgument?: string): Directive[] {
  return directives.filter(
    (directive) =>
      directive.name === name &&
      (firstArgument === undefined || directive.args[0] === firstArgument),
  );
}

export function only(directives: Directive[], name: string, firstArgument?: string): Directive {
  const found = find(directives, name, firstArgument);
  if (found.length !== 1) {
    throw new Error(`expected one ${name} ${firstArgument ?? ''}, found ${found.length}`);
  }
  return found[0]!;
}

/** Every directive of the tree, with its parents' names, depth first. */
export function walk(
  directives: Directive[],
  parents: string[] = [],
): { directive: Directive; parents: string[] }[] {
  return directives.flatMap((directive) => [
    { directive, parents },
    ...walk(directive.children ?? [], [...parents, directive.name]),
  ]);
}

/** nginx time (`1h`, `90s`, `5m`, `3600`) in seconds. */
export function nginxSeconds(value: string): number {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const match = /^(\d+)(s|m|h|d|w)?$/.exec(value);
  if (!match) throw new Error(`not an nginx time: ${value}`);
  return Number(match[1]) * units[match[2] ?? '']!;
}
