// A loader child that dies the way V8 dies on a fatal error (abort) as soon as it gets its request: proves the
// caller turns any death into a diagnostic, whatever the interpreter learns to catch in the future.
if (process.argv[2] === '--innerloop-tiltfile-child') {
  process.once('message', () => {
    process.stderr.write('\n#\n# Fatal error in , line 0\n# Fatal JavaScript invalid size error 134217729\n#\n');
    process.abort();
  });
}
