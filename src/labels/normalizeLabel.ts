/**
 * Object labels are matched on a normalised form so that "People", "person " and "persons" meet in one
 * query, while the raw label is kept for display. Normalisation: Unicode NFKC, lower case, `_`/`-`
 * to spaces, whitespace collapsed, then a synonym table, then English plural -> singular for the last
 * word. The table is deliberately small and explicit: a surprising merge (e.g. "glasses" -> "glass")
 * is worse than a missed one, so irregular words are listed rather than guessed.
 */

/** Whole-label synonyms and irregular plurals, applied after case/whitespace normalisation. */
export const LABEL_SYNONYMS: Readonly<Record<string, string>> = {
  people: 'person',
  persons: 'person',
  human: 'person',
  humans: 'person',
  man: 'person',
  men: 'person',
  woman: 'person',
  women: 'person',
  child: 'person',
  children: 'person',
  kid: 'person',
  kids: 'person',
  pedestrian: 'person',
  pedestrians: 'person',
  automobile: 'car',
  automobiles: 'car',
  bike: 'bicycle',
  bikes: 'bicycle',
  motorbike: 'motorcycle',
  motorbikes: 'motorcycle',
  sofa: 'couch',
  sofas: 'couch',
  'tv monitor': 'tv',
  television: 'tv',
  televisions: 'tv',
  'dining table': 'table',
  'potted plant': 'plant',
  'potted plants': 'plant',
  puppy: 'dog',
  puppies: 'dog',
  kitten: 'cat',
  kittens: 'cat',
  mice: 'mouse',
  feet: 'foot',
  teeth: 'tooth',
  geese: 'goose',
  sheep: 'sheep',
  fish: 'fish',
  glasses: 'glasses',
  buses: 'bus',
  shelves: 'shelf',
  knives: 'knife',
  leaves: 'leaf',
  wolves: 'wolf',
  scarves: 'scarf',
  tomatoes: 'tomato',
  potatoes: 'potato',
  scissors: 'scissors',
  pants: 'pants',
  jeans: 'jeans',
  shorts: 'shorts',
  skis: 'skis',
  grass: 'grass',
  bus: 'bus',
  glass: 'glass',
  dress: 'dress',
  cross: 'cross',
  lens: 'lens',
  canvas: 'canvas',
  gas: 'gas',
  species: 'species',
  series: 'series',
  news: 'news',
};

/** Longest accepted label, in characters after trimming. */
export const MAX_LABEL_LENGTH = 200;

function singular(word: string): string {
  if (word.length <= 3) return word;
  if (/(ss|us|is)$/.test(word)) return word; // glass, bus, axis
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y'; // puppies -> puppy
  if (/(ches|shes|xes|zes|sses)$/.test(word)) return word.slice(0, -2); // benches, boxes
  if (/s$/.test(word)) return word.slice(0, -1);
  return word;
}

export function normalizeLabel(raw: string): string {
  const base = raw.normalize('NFKC').toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (base in LABEL_SYNONYMS) return LABEL_SYNONYMS[base];
  const words = base.split(' ');
  const last = words[words.length - 1];
  if (last in LABEL_SYNONYMS) {
    words[words.length - 1] = LABEL_SYNONYMS[last];
  } else {
    words[words.length - 1] = singular(last);
  }
  const joined = words.join(' ');
  return LABEL_SYNONYMS[joined] ?? joined;
}
