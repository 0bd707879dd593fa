// Generates tiltfile.tmLanguage.json; the Tilt builtin names come from src/tiltfile/apiDocs.ts.
// Run after changing either: node --import tsx syntaxes/tiltfile.grammar.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TILT_API, TILT_VALUES } from '../src/tiltfile/apiDocs';
const top = [...new Set(TILT_API.filter((f) => !f.name.includes('.')).map((f) => f.name))].sort((a, b) => b.length - a.length || a.localeCompare(b));
const ns = ['config', 'os', 'sys', 'shlex'];
const starlarkBuiltins = ['abs','all','any','bool','bytes','dict','dir','enumerate','fail','float','getattr','hasattr','hash','int','len','list','max','min','print','range','repr','reversed','set','sorted','str','tuple','type','zip'];
/** The grammar as an object (what tiltfile.tmLanguage.json must contain). */
export function tiltfileGrammar(): Record<string, unknown> {
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Tiltfile',
    scopeName: 'source.tiltfile',
    comment: 'Starlark (Python-like) with the Tilt API highlighted. Tilt builtin names are kept in sync with src/tiltfile/apiDocs.ts by test/unit/vscode/grammar.test.ts; regenerate with syntaxes/tiltfile.grammar.ts.',
    patterns: [
      { include: '#comment' },
      { include: '#string' },
      { include: '#def' },
      { include: '#keyword' },
      { include: '#constant' },
      { include: '#number' },
      { include: '#tilt-call' },
      { include: '#namespace' },
      { include: '#starlark-builtin' },
      { include: '#call' },
      { include: '#group' },
      { include: '#operator' },
      { include: '#punctuation' },
    ],
    repository: {
      comment: { name: 'comment.line.number-sign.tiltfile', match: '#.*$' },
      string: {
        patterns: [
          { name: 'string.quoted.triple.double.tiltfile', begin: '(?i:[rb]{0,2})"""', end: '"""', patterns: [{ include: '#escape' }] },
          { name: 'string.quoted.triple.single.tiltfile', begin: "(?i:[rb]{0,2})'''", end: "'''", patterns: [{ include: '#escape' }] },
          { name: 'string.quoted.double.tiltfile', begin: '(?i:[rb]{0,2})"', end: '"|(?=$)', patterns: [{ include: '#escape' }, { include: '#format' }] },
          { name: 'string.quoted.single.tiltfile', begin: "(?i:[rb]{0,2})'", end: "'|(?=$)", patterns: [{ include: '#escape' }, { include: '#format' }] },
        ],
      },
      escape: { name: 'constant.character.escape.tiltfile', match: '\\\\(?:[\\\\\'"abfnrtv\\n]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{1,3})' },
      format: { name: 'constant.other.placeholder.tiltfile', match: '%(?:\\([A-Za-z_][A-Za-z0-9_]*\\))?[-+ #0]*\\d*(?:\\.\\d+)?[sdrxXoeEfFgGc%]|\\{[A-Za-z0-9_]*(?:![rs])?(?::[^{}]*)?\\}' },
      def: {
        match: '\\b(def)\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*(?=\\()',
        captures: { 1: { name: 'storage.type.function.tiltfile' }, 2: { name: 'entity.name.function.tiltfile' } },
      },
      keyword: {
        patterns: [
          { name: 'keyword.control.flow.tiltfile', match: '\\b(if|elif|else|for|while|return|break|continue|pass)\\b' },
          { name: 'keyword.control.import.tiltfile', match: '\\b(load)\\b(?=\\s*\\()' },
          { name: 'keyword.operator.logical.tiltfile', match: '\\b(and|or|not|in)\\b' },
          { name: 'storage.type.function.lambda.tiltfile', match: '\\blambda\\b' },
        ],
      },
      constant: {
        patterns: [
          { name: 'constant.language.tiltfile', match: '\\b(True|False|None)\\b' },
          { name: 'support.constant.tilt.tiltfile', match: `\\b(${TILT_VALUES.filter((v) => !v.name.includes('.')).map((v) => v.name).join('|')})\\b` },
        ],
      },
      number: {
        patterns: [
          { name: 'constant.numeric.hex.tiltfile', match: '\\b0[xX][0-9A-Fa-f]+\\b' },
          { name: 'constant.numeric.octal.tiltfile', match: '\\b0[oO][0-7]+\\b' },
          { name: 'constant.numeric.float.tiltfile', match: '\\b\\d+\\.\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?\\b|\\b\\d+[eE][+-]?\\d+\\b' },
          { name: 'constant.numeric.decimal.tiltfile', match: '\\b\\d+\\b' },
        ],
      },
      'tilt-call': {
        comment: 'Tilt API functions (from src/tiltfile/apiDocs.ts).',
        match: `(?<![.\\w])(${top.join('|')})\\b(?=\\s*\\()`,
        captures: { 1: { name: 'support.function.tilt.tiltfile' } },
      },
      namespace: {
        comment: 'Tilt API modules: config.*, os.*, os.path.*, sys.*, shlex.*',
        match: `(?<![.\\w])(${ns.join('|')})(?:(\\.)(path))?(\\.)([A-Za-z_][A-Za-z0-9_]*)`,
        captures: {
          1: { name: 'support.module.tilt.tiltfile' },
          2: { name: 'punctuation.accessor.tiltfile' },
          3: { name: 'support.module.tilt.tiltfile' },
          4: { name: 'punctuation.accessor.tiltfile' },
          5: { name: 'support.function.tilt.tiltfile' },
        },
      },
      'starlark-builtin': {
        match: `(?<![.\\w])(${starlarkBuiltins.join('|')})\\b(?=\\s*\\()`,
        captures: { 1: { name: 'support.function.builtin.tiltfile' } },
      },
      group: {
        comment: 'Parenthesised code (calls, tuples): the only place a `name=` is a keyword argument.',
        begin: '\\(',
        end: '\\)',
        beginCaptures: { 0: { name: 'punctuation.parenthesis.begin.tiltfile' } },
        endCaptures: { 0: { name: 'punctuation.parenthesis.end.tiltfile' } },
        patterns: [{ include: '#keyword-argument' }, { include: '$self' }],
      },
      'keyword-argument': {
        match: '\\b([A-Za-z_][A-Za-z0-9_]*)\\s*(=)(?!=)',
        captures: { 1: { name: 'variable.parameter.tiltfile' }, 2: { name: 'keyword.operator.assignment.tiltfile' } },
      },
      call: {
        match: '\\b([A-Za-z_][A-Za-z0-9_]*)\\s*(?=\\()',
        captures: { 1: { name: 'entity.name.function.call.tiltfile' } },
      },
      operator: {
        patterns: [
          { name: 'keyword.operator.comparison.tiltfile', match: '==|!=|<=|>=|<|>' },
          { name: 'keyword.operator.assignment.augmented.tiltfile', match: '\\+=|-=|\\*=|/=|//=|%=|&=|\\|=|\\^=|<<=|>>=' },
          { name: 'keyword.operator.assignment.tiltfile', match: '=' },
          { name: 'keyword.operator.arithmetic.tiltfile', match: '\\*\\*|//|[+\\-*/%&|^~]|<<|>>' },
        ],
      },
      punctuation: {
        patterns: [
          { name: 'punctuation.separator.element.tiltfile', match: ',' },
          { name: 'punctuation.separator.colon.tiltfile', match: ':' },
          { name: 'punctuation.accessor.tiltfile', match: '\\.' },
        ],
      },
    },
  };
}

if (require.main === module) {
  writeFileSync(join(__dirname, 'tiltfile.tmLanguage.json'), JSON.stringify(tiltfileGrammar(), null, 2) + '\n');
}
