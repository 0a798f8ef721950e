// Prints the demo's query and its answer: objects in front of the most common label in the store.
const endpoint = process.argv[2];

async function gql(query, variables) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const { labels } = await gql('{ labels { label count } }');
console.log(`labels: ${labels.map((l) => `${l.label} (${l.count})`).join(', ')}`);
const label = labels[0].label;
const query = `query($label: String!) {
  objectsInFrontOf(label: $label, first: 5) {
    edges { node { label depth { p5 p95 } } reference { label depth { p5 p95 } } image { uri } score }
    pageInfo { hasNextPage }
  }
}`;
console.log(`\n${query}\nvariables: { "label": "${label}" }\n`);
const { objectsInFrontOf } = await gql(query, { label });
for (const e of objectsInFrontOf.edges) {
  const f = (d) => `${d.p5.toFixed(1)}-${d.p95.toFixed(1)} m`;
  console.log(
    `  ${e.node.label.padEnd(8)} (${f(e.node.depth)}) is in front of the ${e.reference.label} (${f(e.reference.depth)}) in ${e.image.uri}  score ${e.score.toFixed(2)}`,
  );
}
console.log(`  ... more: ${objectsInFrontOf.pageInfo.hasNextPage}`);
const s = await gql(
  `{ searchImages(pattern: [{subject: "ball", predicate: "on", object: "box"}], first: 3) { edges { score node { uri } } } }`,
);
console.log(
  `\nimages where a ball is on a box: ${s.searchImages.edges.map((e) => e.node.uri).join(', ') || 'none'}`,
);

// The real photos, ingested through the bundled COCO detector.
const photos = await gql(`{ images(first: 50) { edges { node { uri depthUnit objects { key label score depth { p50 } } } } } }`);
const real = photos.images.edges.map((e) => e.node).filter((n) => /samples\/photos\//.test(n.uri));
console.log(`\nphotos (bundled COCO detector${real.some((n) => n.depthUnit) ? '; the motorcycle with its measured depth' : ''}):`);
for (const n of real) {
  const objs = n.objects
    .map((o) => `${o.label} ${o.score.toFixed(2)}${o.depth ? ` @ ${o.depth.p50.toFixed(2)} m` : ''}`)
    .join(', ');
  console.log(`  ${n.uri.split('/').pop()}: ${objs || 'nothing found'}`);
}
const moto = await gql(`{ objectsBehind(label: "motorcycle", first: 5) { edges { node { label depth { p50 } } reference { depth { p50 } } } } }`);
console.log('\nobjects behind the motorcycle (measured depth):');
for (const e of moto.objectsBehind.edges) {
  console.log(`  ${e.node.label} at ${e.node.depth.p50.toFixed(2)} m, behind the motorcycle at ${e.reference.depth.p50.toFixed(2)} m`);
}
if (moto.objectsBehind.edges.length === 0) console.log('  none');
