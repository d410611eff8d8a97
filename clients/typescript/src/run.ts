// `node dist/run.js http://127.0.0.1:8000/v1`: runs the program of main.ts against a server and
// prints what it read as JSON (tests/clients/test_typescript_client.py, after `npm run build`).
import { main } from "./main.js";

declare const process: { argv: string[]; exitCode?: number };

main(process.argv[2] ?? "http://127.0.0.1:8000/v1")
  .then((summary) => console.log(JSON.stringify(summary)))
  .catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
