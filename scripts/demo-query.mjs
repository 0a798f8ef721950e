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
