/**
 * Amazon EventBridge event patterns, as the local cloud matches them (the rules of the
 * synthesized template and the table stream's filter criteria). Written from the EventBridge
 * user guide ("Creating event patterns", "Content filtering", "Comparison operators"):
 *
 * - a pattern is an object; every key must match (AND); an object value descends into the
 *   event's object at that key, an array value lists the allowed values of a leaf (OR);
 * - a leaf value that is an array in the event matches when any of its elements does;
 * - leaf matchers: a string, number, boolean or `null` (exact, type and all), and the objects
 *   `prefix`, `suffix` (each also `{ "equals-ignore-case": … }`), `equals-ignore-case`,
 *   `anything-but` (a value, a list, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`),
 *   `numeric` (`[">", 0, "<=", 5]`, `["=", 3]`), `exists`, `wildcard` and `cidr`;
 * - `"$or": [pattern, …]` at any level matches when one of its patterns does.
 *
 * A pattern with an operator it does not know is refused by {@link compileEventPattern}
 * (naming the path), so a template the local cloud cannot follow stops it instead of running
 * a rule that never fires.
 */

/** A compiled pattern: true when the event matches. */
export type EventMatcher = (event: unknown) => boolean;

type Leaf = (value: unknown, present: boolean) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
}

const fail = (path: string, reason: string): never => {
  throw new EventPatternError(`Event pattern at ${path || '(root)'}: ${reason}`);
};

/** `*` matches any run of characters (`\*` a literal star), the rest literally. */
function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\' && pattern[i + 1] === '*') {
      source += '\\*';
      i++;
    } else if (char === '*') source += '[\\s\\S]*';
    else source += char.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const ipv4 = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

function cidrTest(cidr: unknown, path: string): (value: string) => boolean {
  const [address = '', bits = ''] = typeof cidr === 'string' ? cidr.split('/') : [];
  const base = ipv4(address);
  const length = Number(bits);
  if (base === undefined || !/^\d+$/.test(bits) || length > 32)
    return fail(path, `cidr ${JSON.stringify(cidr)} is not an IPv4 block`);
  const size = 2 ** (32 - length);
  const start = Math.floor(base / size) * size;
  return (value) => {
    const n = ipv4(value);
    return n !== undefined && n >= start && n < start + size;
  };
}

/** The string test of `prefix`/`suffix`: a string, or `{ "equals-ignore-case": string }`. */
function affixTest(kind: 'prefix' | 'suffix', operand: unknown, path: string): (value: string) => boolean {
  const ignoreCase = isObject(operand);
  const text = ignoreCase ? operand['equals-ignore-case'] : operand;
  if (typeof text !== 'string' || (ignoreCase && Object.keys(operand).length !== 1))
    return fail(path, `${kind} takes a string or {"equals-ignore-case": string}`);
  const wanted = ignoreCase ? text.toLowerCase() : text;
  return (value) => {
    const v = ignoreCase ? value.toLowerCase() : value;
    return kind === 'prefix' ? v.startsWith(wanted) : v.endsWith(wanted);
  };
}

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numericTest(operand: unknown, path: string): (value: number) => boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0)
    return fail(path, 'numeric takes [operator, number, …]');
  const tests: ((value: number) => boolean)[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const compare = comparisons[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number')
      return fail(path, `numeric ${JSON.stringify(operand)} is not [operator, number, …]`);
    tests.push((value) => compare(value, bound));
  }
  return (value) => tests.every((test) => test(value));
}

/** `anything-but`: a value, a list of values, or one of prefix / suffix / equals-ignore-case / wildcard. */
function anythingBut(operand: unknown, path: string): Leaf {
  if (isObject(operand)) {
    const [[kind, inner] = []] = Object.entries(operand);
    if (Object.keys(operand).length !== 1) return fail(path, 'anything-but takes one operator');
    if (kind === 'prefix' || kind === 'suffix') {
      const test = affixTest(kind, inner, path);
      return (value, present) => present && typeof value === 'string' && !test(value);
    }
    if (kind === 'equals-ignore-case') {
      const list = [inner].flat();
      if (list.some((s) => typeof s !== 'string'))
        return fail(path, 'anything-but equals-ignore-case takes strings');
      const lowered = new Set(list.map((s) => String(s).toLowerCase()));
      return (value, present) => present && typeof value === 'string' && !lowered.has(value.toLowerCase());
    }
    if (kind === 'wildcard') {
      const expressions = [inner].flat().map((w) => wildcardRegExp(String(w)));
      return (value, present) =>
        present && typeof value === 'string' && !expressions.some((e) => e.test(value));
    }
    return fail(path, `anything-but does not take ${String(kind)}`);
  }
  const excluded = [operand].flat();
  if (excluded.some((v) => typeof v !== 'string' && typeof v !== 'number'))
    return fail(path, 'anything-but takes strings or numbers');
  return (value, present) => present && !isObject(value) && !excluded.includes(value as string | number);
}

/** One element of a leaf's list of allowed values. */
function leafMatcher(allowed: unknown, path: string): Leaf {
  if (!isObject(allowed)) {
    if (Array.isArray(allowed)) return fail(path, 'a list inside a list of values');
    return (value, present) => present && value === allowed;
  }
  const keys = Object.keys(allowed);
  if (keys.length !== 1) return fail(path, `a matcher takes one operator, not ${keys.join(', ')}`);
  const [kind = ''] = keys;
  const operand = allowed[kind];
  switch (kind) {
    case 'prefix':
    case 'suffix': {
      const test = affixTest(kind, operand, path);
      return (value, present) => present && typeof value === 'string' && test(value);
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') return fail(path, 'equals-ignore-case takes a string');
      const wanted = operand.toLowerCase();
      return (value, present) => present && typeof value === 'string' && value.toLowerCase() === wanted;
    }
    case 'anything-but':
      return anythingBut(operand, path);
    case 'numeric': {
      const test = numericTest(operand, path);
      return (value, present) => present && typeof value === 'number' && test(value);
    }
    case 'exists':
      if (typeof operand !== 'boolean') return fail(path, 'exists takes true or false');
      return (value, present) => (operand ? present && !isObject(value) : !present);
    case 'wildcard': {
      if (typeof operand !== 'string') return fail(path, 'wildcard takes a string');
      const expression = wildcardRegExp(operand);
      return (value, present) => present && typeof value === 'string' && expression.test(value);
    }
    case 'cidr': {
      const test = cidrTest(operand, path);
      return (value, present) => present && typeof value === 'string' && test(value);
    }
    default:
      return fail(path, `unknown operator ${kind}`);
  }
}

/** A leaf's list: the value (or, for an array in the event, any of its elements) passes one matcher. */
function leafList(list: unknown[], path: string): (value: unknown, present: boolean) => boolean {
  if (list.length === 0) return fail(path, 'an empty list of values matches nothing');
  const matchers = list.map((allowed) => leafMatcher(allowed, path));
  return (value, present) =>
    Array.isArray(value)
      ? matchers.some((m) => value.some((element) => m(element, true)))
      : matchers.some((m) => m(value, present));
}

function objectMatcher(pattern: Record<string, unknown>, path: string): (value: unknown) => boolean {
  const tests: ((value: Record<string, unknown> | undefined) => boolean)[] = [];
  for (const [key, inner] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(inner) || inner.length < 2 || !inner.every(isObject))
        return fail(at, '$or takes a list of two or more patterns');
      const alternatives = inner.map((p, i) => objectMatcher(p, `${at}[${i}]`));
      tests.push((value) => alternatives.some((alternative) => alternative(value)));
    } else if (Array.isArray(inner)) {
      const test = leafList(inner, at);
      tests.push((value) => test(value?.[key], value !== undefined && Object.hasOwn(value, key)));
    } else if (isObject(inner)) {
      const nested = objectMatcher(inner, at);
      tests.push((value) => nested(value?.[key]));
    } else fail(at, 'a field takes a list of values or a nested pattern');
  }
  if (tests.length === 0) return fail(path, 'an empty pattern');
  return (value) => {
    // A nested pattern meets a missing object as missing fields: only `exists: false` can hold there.
    const object = isObject(value) ? value : undefined;
    return tests.every((test) => test(object));
  };
}

/**
 * Compiles an EventBridge event pattern (an object, or its JSON text) into a matcher; throws an
 * `EventPatternError` naming the path of anything EventBridge would refuse or this does not know.
 */
export function compileEventPattern(pattern: unknown): EventMatcher {
  const parsed = typeof pattern === 'string' ? (JSON.parse(pattern) as unknown) : pattern;
  if (!isObject(parsed)) return fail('', 'a pattern is a JSON object');
  const matcher = objectMatcher(parsed, '');
  return (event) => matcher(event);
}

/** Whether an event matches a pattern (compiles it each time: compile once for many events). */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}
