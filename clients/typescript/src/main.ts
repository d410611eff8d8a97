// A consumer of the coalition-monitor API with a plain openapi-fetch client: the types come
// from the committed openapi.json (npm run generate), CI type-checks this file with
// `tsc --strict --noEmit`.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Problem = components["schemas"]["Problem"];

export interface GoalProgress {
  code: string;
  text: string;
  progress: components["schemas"]["StatusUpdateOut"]["progress"] | undefined;
  asOf: string | undefined;
}

export function connect(baseUrl: string) {
  // The server entry of the document is /v1: pass the API's root, e.g. http://host:8000/v1.
  return createClient<paths>({ baseUrl });
}

type Client = ReturnType<typeof connect>;

function describe(problem: Problem): string {
  const params = (problem.invalidParams ?? []).map((p) => `${p.name}: ${p.reason}`);
  return `${problem.status} ${problem.title}: ${problem.detail} ${params.join("; ")}`.trim();
}

/** Every goal of a perspective with its latest progress, following `_links.next`. */
export async function goalsWithProgress(client: Client, perspective: string): Promise<GoalProgress[]> {
  const goals: GoalProgress[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { data, error } = await client.GET("/goals", {
      params: { query: { perspective: [perspective], pageSize: 10, cursor } },
    });
    if (error) {
      throw new Error(describe(error));
    }
    for (const goal of data.items) {
      goals.push({
        code: goal.code,
        text: goal.text,
        progress: goal.latestStatus?.progress,
        asOf: goal.latestStatus?.asOf,
      });
    }
    const next = data._links.next?.href;
    if (next === undefined) {
      return goals;
    }
    cursor = new URL(next).searchParams.get("cursor") ?? undefined;
  }
}

/** A metric's series: each period with its value (null when the report has no number). */
export async function series(
  client: Client,
  metric: string,
): Promise<Array<{ period: string; value: number | null; unit: string }>> {
  const { data, error } = await client.GET("/metrics/{code}/measurements", {
    params: { path: { code: metric }, query: { pageSize: 500 } },
  });
  if (error) {
    throw new Error(describe(error));
  }
  return data.items.map((item) => ({ period: item.period, value: item.value, unit: item.unit }));
}

/** A goal, or the Problem that says why there is none (a 404 for an unknown code). */
export async function goalOrProblem(client: Client, code: string) {
  const { data, error } = await client.GET("/goals/{code}", { params: { path: { code } } });
  if (error) {
    const problem: Problem = error;
    return { goal: null, problem };
  }
  return { goal: data, problem: null };
}

export async function main(baseUrl: string) {
  const client = connect(baseUrl);
  return {
    goals: await goalsWithProgress(client, "C"),
    series: await series(client, "M5.1"),
    missing: await goalOrProblem(client, "Z99"),
  };
}
