// The harness's result file format, shared by the harness (writer) and the e2e runner (reader).

export interface HarnessTestResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

export interface HarnessReport {
  /** VS Code version the suite ran in. */
  vscodeVersion: string;
  mode: 'trusted' | 'untrusted' | 'debug';
  tests: HarnessTestResult[];
}
