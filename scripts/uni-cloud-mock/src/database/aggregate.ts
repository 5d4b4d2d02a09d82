import { cloneValue, encodeValue, isPlainObject, type Document } from "./codec";
import { DatabaseError, invalidParam } from "./errors";
import type { Executor } from "./executor";
import { ACCUMULATORS, asOperator, evaluate, extreme, fieldValue } from "./aggregate-expressions";
import { splitPath } from "./json-path";
import { matchesPredicate } from "./matcher";
import { applyProjection, compileProjection, type Projection } from "./projection";
import { compileWhere, type Predicate } from "./query-compiler";
import { compareValues, valuesEqual } from "./values";

/**
 * `collection.aggregate()`: stages are recorded locally and run by `end()` over one read snapshot. A
 * leading `match` also narrows the rows in SQL; everything else runs in JS with MongoDB semantics.
 * Without a `limit` stage the result holds at most 20 records, the default page of cloud aggregation.
 */
export const AGGREGATE_DEFAULT_LIMIT = 20;

type Stage =
  | { kind: "match"; predicate: Predicate }
  | { kind: "lookup"; from: string; run: (docs: Document[], foreign: Document[]) => Document[] }
  | { kind: "js"; run: (docs: Document[]) => Document[] };

export class Aggregate {
  constructor(
    private readonly executor: Executor,
    private readonly name: string,
    private readonly stages: readonly Stage[] = [],
    private readonly limited = false,
    private readonly error?: unknown,
  ) {}

  private add(build: () => Stage, limited = this.limited): Aggregate {
    if (this.error) return this;
    try {
      return new Aggregate(this.executor, this.name, [...this.stages, build()], limited);
    } catch (error) {
      return new Aggregate(this.executor, this.name, this.stages, limited, error);
    }
  }

  match(where: unknown) {
    return this.add(() => ({ kind: "match", predicate: compileWhere(where) }));
  }
  project(spec: unknown) {
    return this.add(() => js(projectStage(spec)));
  }
  addFields(spec: unknown) {
    return this.add(() => js(addFieldsStage(spec)));
  }
  group(spec: unknown) {
    return this.add(() => js(groupStage(spec)));
  }
  sort(spec: unknown) {
    return this.add(() => js(sortStage(spec)));
  }
  skip(count: unknown) {
    return this.add(() => js((docs) => docs.slice(positiveInteger(count, "skip", true))));
  }
  limit(count: unknown) {
    return this.add(() => js((docs) => docs.slice(0, positiveInteger(count, "limit", false))), true);
  }
  count(field: unknown) {
    return this.add(() => {
      if (typeof field !== "string" || !field || field.startsWith("$") || field.includes(".")) throw invalidParam("aggregate.count: expected a field name");
      return js((docs) => (docs.length ? [{ [field]: docs.length }] : []));
    });
  }
  unwind(spec: unknown) {
    return this.add(() => js(unwindStage(spec)));
  }
  replaceRoot(spec: unknown) {
    return this.add(() => {
      if (!isPlainObject(spec) || spec.newRoot === undefined) throw invalidParam("aggregate.replaceRoot: expected { newRoot }");
      return js((docs) =>
        docs.map((doc) => {
          const root = evaluate(spec.newRoot, doc);
          if (!isPlainObject(root)) throw invalidParam("aggregate.replaceRoot: newRoot must evaluate to an object");
          return root;
        }),
      );
    });
  }
  sortByCount(expression: unknown) {
    return this.add(() => js((docs) => sortStage({ count: -1 })(groupStage({ _id: expression, count: { $sum: 1 } })(docs))));
  }
  sample(spec: unknown) {
    return this.add(() => {
      const size = positiveInteger(isPlainObject(spec) ? spec.size : undefined, "sample.size", false);
      return js((docs) => shuffle([...docs]).slice(0, size));
    });
  }
  lookup(spec: unknown) {
    return this.add(() => lookupStage(spec));
  }
  bucket(): never {
    throw unsupportedStage("bucket");
  }
  bucketAuto(): never {
    throw unsupportedStage("bucketAuto");
  }
  geoNear(): never {
    throw unsupportedStage("geoNear");
  }

  async end(): Promise<{ data: Document[] }> {
    if (this.error) throw this.error;
    const [first] = this.stages;
    const leading = first?.kind === "match" ? first.predicate : { kind: "all" as const };
    const store = await this.executor.store(this.name, "read");
    const foreignNames = [...new Set(this.stages.flatMap((stage) => (stage.kind === "lookup" ? [stage.from] : [])))];
    const foreignStores = await Promise.all(foreignNames.map((name) => this.executor.store(name, "read")));
    const { rows, foreign } = await this.executor.read((session) => ({
      rows: store.find(session, leading),
      foreign: new Map(foreignStores.map((foreignStore) => [foreignStore.name, foreignStore.find(session, { kind: "all" }).map((row) => row.document)])),
    }));
    let docs = rows.map((row) => row.document);
    for (const stage of first?.kind === "match" ? this.stages.slice(1) : this.stages) {
      if (stage.kind === "match") docs = docs.filter((doc) => matchesPredicate(doc, stage.predicate));
      else if (stage.kind === "lookup") docs = stage.run(docs, foreign.get(stage.from)!);
      else docs = stage.run(docs);
    }
    return { data: this.limited ? docs : docs.slice(0, AGGREGATE_DEFAULT_LIMIT) };
  }
}

function js(run: (docs: Document[]) => Document[]): Stage {
  return { kind: "js", run };
}

function unsupportedStage(name: string): DatabaseError {
  return invalidParam(`aggregate.${name} is not supported by the local emulator`);
}

function positiveInteger(value: unknown, name: string, allowZero: boolean): number {
  if (!Number.isInteger(value) || (value as number) < (allowZero ? 0 : 1))
    throw invalidParam(`aggregate.${name}: expected a ${allowZero ? "non-negative" : "positive"} integer`);
  return value as number;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let container = target;
  for (const segment of path.slice(0, -1)) {
    if (!isPlainObject(container[segment])) container[segment] = {};
    container = container[segment] as Record<string, unknown>;
  }
  if (value === undefined) delete container[path[path.length - 1]];
  else container[path[path.length - 1]] = value;
}

const isFlag = (value: unknown) => value === true || value === false || value === 1 || value === 0;

/** `project`: 1/true/0/false keep or drop fields; any other value is an expression computing a field. */
function projectStage(spec: unknown): (docs: Document[]) => Document[] {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw invalidParam("aggregate.project: expected a non-empty object");
  const flags: Record<string, unknown> = {};
  const computed: Array<[string[], unknown]> = [];
  // `{ a: { b: 1 } }` is the nested spelling of `{ "a.b": 1 }`; an operator object is an expression.
  const collect = (entries: Array<[string, unknown]>, prefix: string) => {
    for (const [key, value] of entries) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (isFlag(value)) flags[path] = value;
      else if (isPlainObject(value) && !asOperator(value) && Object.keys(value).length > 0) collect(Object.entries(value), path);
      else computed.push([splitPath(path, "project"), value]);
    }
  };
  collect(Object.entries(spec), "");
  const excludes = Object.entries(flags).some(([key, value]) => key !== "_id" && (value === false || value === 0));
  if (computed.length && excludes) throw invalidParam("aggregate.project: cannot mix exclusions with computed fields");
  // Computed fields make the projection an inclusion, even when no field is flagged true.
  const projection: Projection = computed.length
    ? {
        mode: "include",
        paths: Object.keys(flags)
          .filter((key) => key !== "_id")
          .map((key) => splitPath(key, "project")),
        includeId: !(flags._id === false || flags._id === 0),
      }
    : compileProjection(flags);
  return (docs) =>
    docs.map((doc) => {
      const out = applyProjection(doc, projection);
      for (const [path, expression] of computed) setPath(out, path, evaluate(expression, doc));
      return out;
    });
}

function addFieldsStage(spec: unknown): (docs: Document[]) => Document[] {
  if (!isPlainObject(spec)) throw invalidParam("aggregate.addFields: expected an object");
  const fields = Object.entries(spec).map(([key, value]) => [splitPath(key, "addFields"), value] as const);
  return (docs) =>
    docs.map((doc) => {
      const out = cloneValue(doc);
      for (const [path, expression] of fields) setPath(out, path, evaluate(expression, doc));
      return out;
    });
}

function sortStage(spec: unknown): (docs: Document[]) => Document[] {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw invalidParam("aggregate.sort: expected { field: 1 | -1 }");
  const keys = Object.entries(spec).map(([field, direction]) => {
    if (direction !== 1 && direction !== -1) throw invalidParam(`aggregate.sort: direction of ${field} must be 1 or -1`);
    return { path: splitPath(field, "sort"), direction };
  });
  return (docs) =>
    docs
      .map((doc, index) => ({ doc, index }))
      .sort((a, b) => {
        for (const key of keys) {
          const order = compareValues(fieldValue(a.doc, key.path) ?? null, fieldValue(b.doc, key.path) ?? null);
          if (order !== 0) return order * key.direction;
        }
        return a.index - b.index;
      })
      .map((entry) => entry.doc);
}

/** `group({ _id: <expression>, field: <accumulator> })`; groups come out in first-seen order. */
function groupStage(spec: unknown): (docs: Document[]) => Document[] {
  if (!isPlainObject(spec) || !("_id" in spec)) throw invalidParam("aggregate.group: the _id field is required");
  const outputs = Object.entries(spec)
    .filter(([key]) => key !== "_id")
    .map(([key, expression]) => {
      const operator = asOperator(expression);
      if (!operator || !ACCUMULATORS.has(operator.name)) throw invalidParam(`aggregate.group: ${key} must be an accumulator ($.sum, $.avg, $.push, ...)`);
      return { key, ...operator };
    });
  return (docs) => {
    const groups = new Map<string, { id: unknown; members: Document[] }>();
    for (const doc of docs) {
      const id = evaluate(spec._id, doc) ?? null;
      const key = JSON.stringify(encodeValue(id, "group _id"));
      const group = groups.get(key) ?? { id, members: [] };
      group.members.push(doc);
      groups.set(key, group);
    }
    return [...groups.values()].map(({ id, members }) => {
      const out: Document = { _id: id };
      for (const output of outputs)
        out[output.key] = accumulate(
          output.name,
          members.map((doc) => evaluate(output.args, doc)),
        );
      return out;
    });
  };
}

function accumulate(name: string, values: unknown[]): unknown {
  const present = values.filter((value) => value !== undefined);
  const numbers = present.filter((value): value is number => typeof value === "number");
  switch (name) {
    case "sum":
      return numbers.reduce((a, b) => a + b, 0);
    case "avg":
      return numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
    case "min":
      return extreme(present, -1);
    case "max":
      return extreme(present, 1);
    case "first":
      return values[0] ?? null;
    case "last":
      return values[values.length - 1] ?? null;
    case "push":
      return present;
    case "addToSet":
      return present.filter((value, index) => present.findIndex((other) => valuesEqual(other, value)) === index);
    case "mergeObjects":
      return Object.assign({}, ...present.filter(isPlainObject));
    default: {
      // stdDevPop / stdDevSamp
      const sample = name === "stdDevSamp";
      if (numbers.length < (sample ? 2 : 1)) return null;
      const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
      const squares = numbers.reduce((sum, value) => sum + (value - mean) ** 2, 0);
      return Math.sqrt(squares / (numbers.length - (sample ? 1 : 0)));
    }
  }
}

function unwindStage(spec: unknown): (docs: Document[]) => Document[] {
  const options = typeof spec === "string" ? { path: spec } : spec;
  if (!isPlainObject(options) || typeof options.path !== "string" || !options.path.startsWith("$"))
    throw invalidParam("aggregate.unwind: expected '$field' or { path: '$field' }");
  const path = splitPath(options.path.slice(1), "unwind");
  const indexField = typeof options.includeArrayIndex === "string" ? options.includeArrayIndex : undefined;
  const keepEmpty = options.preserveNullAndEmptyArrays === true;
  return (docs) =>
    docs.flatMap((doc) => {
      const value = fieldValue(doc, path);
      if (Array.isArray(value) && value.length > 0) {
        return value.map((item, index) => {
          const out = cloneValue(doc);
          setPath(out, path, item);
          if (indexField) out[indexField] = index;
          return out;
        });
      }
      if (!Array.isArray(value) && value !== undefined && value !== null) return [indexField ? { ...doc, [indexField]: null } : doc];
      return keepEmpty ? [indexField ? { ...doc, [indexField]: null } : doc] : [];
    });
}

function lookupStage(spec: unknown): Stage {
  if (!isPlainObject(spec) || typeof spec.from !== "string" || typeof spec.as !== "string")
    throw invalidParam("aggregate.lookup: expected { from, localField, foreignField, as }");
  if (spec.pipeline !== undefined || spec.let !== undefined) throw invalidParam("aggregate.lookup with let/pipeline is not supported by the local emulator");
  if (typeof spec.localField !== "string" || typeof spec.foreignField !== "string")
    throw invalidParam("aggregate.lookup: localField and foreignField must be strings");
  const local = splitPath(spec.localField, "lookup");
  const foreignPath = splitPath(spec.foreignField, "lookup");
  const as = splitPath(spec.as, "lookup");
  return {
    kind: "lookup",
    from: spec.from,
    run: (docs, foreign) =>
      docs.map((doc) => {
        const raw = fieldValue(doc, local);
        const keys = Array.isArray(raw) ? raw : [raw ?? null];
        const matches = foreign.filter((other) => {
          const value = fieldValue(other, foreignPath);
          const candidates = Array.isArray(value) ? value : [value ?? null];
          return candidates.some((candidate) => keys.some((key) => valuesEqual(candidate, key)));
        });
        const out = cloneValue(doc);
        setPath(out, as, matches.map(cloneValue));
        return out;
      }),
  };
}

function shuffle<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other], items[index]];
  }
  return items;
}
