/** Random but reproducible mutations of source text, for the fuzz tests. */

/** A small seeded PRNG (mulberry32): the same seed gives the same cases. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['(', ')', '[', ']', '{', '}', ',', ':', '"', "'", '>>', '<<', '\n', ' ', '    ', '=', '#', '\\', 'with ', 'DAG(', 'task_id=', '\uFFFD', '😀', 'é', 'f"{', '"""'];

/** Applies one to five deletions, insertions, swaps or a truncation. */
export function mutate(text: string, random: () => number): string {
  let out = text;
  const steps = 1 + Math.floor(random() * 5);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (out.length + 1));
    const kind = random();
    if (kind < 0.3) {
      const length = 1 + Math.floor(random() * 20);
      out = out.slice(0, at) + out.slice(at + length);
    } else if (kind < 0.6) {
      const piece = random() < 0.5 ? ALPHABET[Math.floor(random() * ALPHABET.length)] : out.slice(at, at + Math.floor(random() * 40));
      const to = Math.floor(random() * (out.length + 1));
      out = out.slice(0, to) + piece + out.slice(to);
    } else if (kind < 0.9) {
      const other = Math.floor(random() * out.length);
      if (out.length > 1) {
        const [i, j] = at < other ? [at, other] : [other, at];
        out = out.slice(0, i) + (out[j] ?? '') + out.slice(i + 1, j) + (out[i] ?? '') + out.slice(j + 1);
      }
    } else {
      out = out.slice(0, at);
    }
  }
  return out;
}
