import { equal, ok } from "node:assert/strict";
import { escapeXml, niceStep, renderSvg } from "./svg.ts";
import { sampleResults } from "./testdata.ts";

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

Deno.test("renderSvg draws one bar per measured ratio and marks failures", () => {
  const svg = renderSvg(sampleResults());
  ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  ok(svg.trimEnd().endsWith("</svg>"));
  // GET and SET throughput, strings RSS and bytes per key, idle connections; HSET failed.
  equal(count(svg, /<rect class="bar"/g), 5);
  ok(svg.includes(">error</text>"));
  ok(svg.includes(">1.10×</text>") && svg.includes(">0.50×</text>"));
});

Deno.test("renderSvg colours bars by their target: throughput from above, memory from below", () => {
  const svg = renderSvg(sampleResults());
  const bar = (label: string) => {
    const at = svg.indexOf(`>${escapeXml(label)}</text>`);
    return svg.slice(at, svg.indexOf("/>", at));
  };
  ok(bar("GET · pipeline 1 · random").includes('fill="#54a24b"'), "GET 1.10× meets 1.0×");
  ok(bar("SET · pipeline 16 · random").includes('fill="#e45756"'), "SET 0.50× misses 0.8×");
  ok(bar("RSS, strings (1,000,000)").includes('fill="#e45756"'), "1.82× misses ≤ 1.5×");
  equal(count(svg, /<line class="target"/g), 3);
});

Deno.test("renderSvg draws a scale curve per op and server with data", () => {
  const svg = renderSvg(sampleResults());
  // ZRANK on both servers, ZQUERY on redis-home (one point: its 100k run failed).
  equal(count(svg, /<polyline class="curve"/g), 3);
  equal(count(svg, /stroke-dasharray="6 4"/g), 1);
});

Deno.test("renderSvg copes with an empty run", () => {
  const results = sampleResults();
  results.throughput = [];
  results.memory = [];
  results.connections = [];
  results.zsetScale = [];
  const svg = renderSvg(results);
  equal(count(svg, /<rect class="bar"/g), 0);
  ok(svg.trimEnd().endsWith("</svg>"));
});

Deno.test("escapeXml and niceStep", () => {
  equal(escapeXml(`a<b & "c">`), "a&lt;b &amp; &quot;c&quot;&gt;");
  equal(niceStep(10, 5), 2);
  equal(niceStep(7.3, 5), 2);
  equal(niceStep(0.9, 5), 0.2);
  equal(niceStep(120, 5), 25);
});

Deno.test("renderSvg draws the matrix: redis-home ÷ Redis, and native ÷ the book's server", () => {
  const results = sampleResults();
  results.throughput = [];
  results.memory = [];
  results.connections = [];
  const figures = (opsPerSec: number) => ({
    opsPerSec,
    p50Ms: 1,
    p99Ms: 2,
    serverCpu: 1,
    serverUsPerOp: 10,
    clientCpu: 0.5,
    samples: [opsPerSec],
  });
  results.matrix = [
    {
      test: "GET",
      protocol: "resp",
      pipeline: 16,
      keyspace: "random",
      cells: { redis: figures(500_000), home: figures(400_000) },
    },
    {
      test: "zquery",
      protocol: "native",
      pipeline: 1,
      keyspace: "single",
      cells: { book: figures(100_000), home: figures(120_000), redis: { error: "x" } },
    },
  ];
  const svg = renderSvg(results);
  equal(count(svg, /<rect class="bar"/g), 2);
  ok(svg.includes(">0.80×</text>") && svg.includes(">1.20×</text>"));
  ok(svg.includes("Native protocol: redis-home ops/s ÷ the book's C++ server's"));
});
