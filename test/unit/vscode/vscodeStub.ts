// A stand-in for the `vscode` module so editor code can run under plain Node (benchmarks, unit tests).
// The few classes whose behaviour matters (EventEmitter, TreeItem, ThemeIcon, Uri, ...) are real and
// minimal; every other API is a recording no-op built by a Proxy, so activate() can run end to end.
import Module from 'node:module';

type Listener<T> = (e: T) => unknown;

class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    return new Uri(s.split(':', 1)[0] ?? 'file', s);
  }
  static joinPath(u: Uri, ...parts: string[]): Uri {
    return new Uri(u.scheme, [u.fsPath, ...parts].join('/'));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  constructor(
    readonly label: string,
    readonly collapsibleState = 0,
  ) {}
}

class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}
class ThemeColor {
  constructor(readonly id: string) {}
}
class MarkdownString {
  constructor(readonly value = '') {}
}
class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...ds: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

/** Anything not modelled: callable, constructible, every property another stub; awaiting it yields itself. */
function anything(path: string, calls: string[]): unknown {
  const target = function () {} as unknown as object;
  const assigned = new Map<string | symbol, unknown>();
  return new Proxy(target, {
    set(_t, key, value) {
      assigned.set(key, value);
      return true;
    },
    get(_t, key) {
      if (assigned.has(key)) return assigned.get(key);
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => path;
      if (key === 'dispose') return () => undefined;
      if (key === 'event' || (typeof key === 'string' && key.startsWith('onDid')) || (typeof key === 'string' && key.startsWith('onWill'))) {
        return () => ({ dispose: () => undefined });
      }
      return anything(`${path}.${String(key)}`, calls);
    },
    apply() {
      calls.push(path);
      return anything(`${path}()`, calls);
    },
    construct() {
      calls.push(`new ${path}`);
      return anything(`new ${path}`, calls) as object;
    },
  });
}

export interface VscodeStub {
  /** API calls that went to the generic stub (for debugging a bench). */
  calls: string[];
  module: Record<string, unknown>;
  restore(): void;
}

/** Makes require('vscode') return the stub until restore(). */
export function installVscodeStub(opts: { workspaceFolder: string }): VscodeStub {
  const calls: string[] = [];
  const folder = { uri: Uri.file(opts.workspaceFolder), name: 'ws', index: 0 };
  const real: Record<string, unknown> = {
    version: '1.100.0-stub',
    EventEmitter,
    Uri,
    TreeItem,
    ThemeIcon,
    ThemeColor,
    MarkdownString,
    Disposable,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, One: 1 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    workspace: new Proxy(
      {
        isTrusted: true,
        workspaceFolders: [folder],
        getConfiguration: () => ({ get: <T>(_k: string, d?: T) => d, inspect: () => undefined, has: () => false }),
        textDocuments: [],
      } as Record<string | symbol, unknown>,
      { get: (t, k) => (k in t ? t[k] : anything(`workspace.${String(k)}`, calls)) },
    ),
  };
  // Bundles copy the module's own keys (esbuild's __toESM), so every namespace must be a real key.
  for (const ns of ['window', 'commands', 'languages', 'debug', 'env', 'extensions', 'l10n', 'tasks', 'tests', 'scm', 'authentication', 'Position', 'Range', 'Selection', 'Location', 'Diagnostic', 'Hover', 'CompletionItem', 'CompletionItemKind', 'CompletionList', 'SymbolKind', 'DocumentSymbol', 'SnippetString', 'SignatureHelp', 'SignatureInformation', 'ParameterInformation', 'DiagnosticRelatedInformation', 'RelativePattern', 'CancellationTokenSource']) {
    if (!(ns in real)) real[ns] = anything(ns, calls);
  }
  const mod = new Proxy(real, { get: (t, k) => (k in t ? t[k as string] : k === 'then' ? undefined : anything(String(k), calls)) });
  const m = Module as unknown as { _load: (req: string, parent: unknown, isMain: boolean) => unknown };
  const original = m._load;
  m._load = function (req, parent, isMain) {
    if (req === 'vscode') return mod;
    return original.call(this, req, parent, isMain);
  };
  return { calls, module: mod, restore: () => (m._load = original) };
}
