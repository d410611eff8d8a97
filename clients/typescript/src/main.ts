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
      params: { query: { perspective: [perspective], pageSize: 50, cursor } },
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

/** A goal, or null when there is none: the 404 arrives as a Problem. */
export async function goalOrNull(client: Client, code: string) {
  const { data, error, response } = await client.GET("/goals/{code}", {
    params: { path: { code } },
  });
  if (error) {
    if (response.status === 404) {
      const problem: Problem = error;
      console.warn(describe(problem));
      return null;
    }
    throw new Error(describe(error));
  }
  return data;
}

export async function main(baseUrl: string): Promise<void> {
  const client = connect(baseUrl);
  for (const goal of await goalsWithProgress(client, "C")) {
    console.log(goal.code, goal.progress ?? "-", goal.asOf ?? "");
  }
  for (const point of await series(client, "M5.1")) {
    console.log(point.period, point.value, point.unit);
  }
  console.log(await goalOrNull(client, "Z99"));
}
