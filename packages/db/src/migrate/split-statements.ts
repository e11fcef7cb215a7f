/**
 * Splits a script into statements at top-level semicolons. Needed only for no-transaction migrations:
 * Postgres runs a multi-statement query string as one implicit transaction, so statements such as
 * CREATE INDEX CONCURRENTLY must be sent one by one. Quotes, dollar quotes and comments are skipped
 * so a semicolon inside them does not split.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;

  while (i < n) {
    const ch = script[i];
    const next = script[i + 1];
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (ch === '/' && next === '*') {
      i = skipBlockComment(script, i);
    } else if (ch === "'") {
      i = skipQuoted(script, i, "'", isEscapeString(script, i));
    } else if (ch === '"') {
      i = skipQuoted(script, i, '"', false);
    } else if (ch === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i))?.[0];
      if (tag && !isIdentifierChar(script[i - 1])) {
        const end = script.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
      } else {
        i += 1;
      }
    } else if (ch === ';') {
      statements.push(script.slice(start, i));
      i += 1;
      start = i;
    } else {
      i += 1;
    }
  }
  statements.push(script.slice(start));
  return statements.map((statement) => statement.trim()).filter((statement) => hasCode(statement));
}

function skipBlockComment(script: string, from: number): number {
  // Postgres block comments nest.
  let depth = 0;
  let i = from;
  while (i < script.length) {
    if (script.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (script.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return i;
}

function skipQuoted(script: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < script.length) {
    const ch = script[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (script[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return i;
}

function isEscapeString(script: string, quoteAt: number): boolean {
  const prefix = script[quoteAt - 1];
  return (prefix === 'E' || prefix === 'e') && !isIdentifierChar(script[quoteAt - 2]);
}

function isIdentifierChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
}

function hasCode(statement: string): boolean {
  return withoutComments(statement).trim().length > 0;
}

// Removes comments only, to tell a comment-only chunk (nothing to run) from a real statement.
function withoutComments(statement: string): string {
  return statement.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
