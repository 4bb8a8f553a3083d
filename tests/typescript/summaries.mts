// What a TypeScript CMS would write against our API: openapi-fetch typed by openapi-typescript's output
// (schema.d.ts, generated beside this file by tests/integration/test_generated_clients.py, then compiled
// with tsc --strict and run with node). Prints what it read as one JSON line for the test to check.
//
//     node summaries.mjs <base URL> <article JSON file>
import { readFileSync } from "node:fs";

import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";

type Summary = components["schemas"]["SummaryResponse"];

const [baseUrl, articleFile] = process.argv.slice(2);
const article = JSON.parse(readFileSync(articleFile, "utf8")) as components["schemas"]["ArticleRequest"];
const client = createClient<paths>({ baseUrl });

const made = await client.POST("/v1/summaries", { body: article });
if (made.data === undefined) {
  throw new Error(`no summary: ${made.response.status} ${JSON.stringify(made.error)}`);
}
const summary: Summary = made.data; // the answer is the summary: no string in its type, nothing to narrow
const names: string[] = made.data.participants.map((participant) => participant.name);

const refused = await client.POST("/v1/summaries", { body: { text: " " } });
if (refused.error === undefined) {
  throw new Error(`no problem: ${refused.response.status}`);
}
const problem = refused.error; // the documented problems of this operation, one type per status
const problemType: string = problem.type;
const problemStatus: number = problem.status;

console.log(
  JSON.stringify({
    status: made.response.status,
    names,
    summary,
    problem: { httpStatus: refused.response.status, type: problemType, status: problemStatus, errors: problem.errors },
  }),
);
