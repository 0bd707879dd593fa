// How a bench script ends: exit 0 when main resolves, print the error and exit 1 when it rejects (handles the
// cluster clients leave open must not keep a finished bench alive).
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
