// The plan types live in src/shared/plan.ts so the engine, the editor and the webview can import them without an
// arrow from shared into tiltfile; the loader's own modules keep importing them from here.
export * from '../shared/plan';
