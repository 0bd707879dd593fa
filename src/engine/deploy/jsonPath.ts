// A small subset of Kubernetes JSONPath for k8s_kind(image_json_path=...): "{.spec.image}",
// "{.spec.containers[*].image}", "{.spec.images[0]}", "{.spec['weird.key']}". Enough for CRD image fields.

export type PathSeg = { key: string } | { index: number } | { wildcard: true };

export function parseJsonPath(expr: string): PathSeg[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const segs: PathSeg[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[\*\]|\[(\d+)\]|\[['"]([^'"]+)['"]\]|\.\*/y;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new Error(`unsupported JSONPath ${JSON.stringify(expr)} at ${JSON.stringify(s.slice(i))}`);
    if (m[1] !== undefined) segs.push({ key: m[1] });
    else if (m[2] !== undefined) segs.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) segs.push({ key: m[3] });
    else segs.push({ wildcard: true });
    i = re.lastIndex;
  }
  return segs;
}

export interface Slot {
  get(): unknown;
  set(v: unknown): void;
}

/** Every location the path reaches in `root`, as get/set slots. Missing keys reach nothing. */
export function resolveSlots(root: unknown, segs: readonly PathSeg[]): Slot[] {
  let slots: Slot[] = [{ get: () => root, set: () => undefined }];
  for (const seg of segs) {
    const next: Slot[] = [];
    for (const slot of slots) {
      const v = slot.get();
      if (v === null || typeof v !== 'object') continue;
      if ('wildcard' in seg) {
        const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
        for (const k of keys) next.push(childSlot(v, k));
      } else if ('index' in seg) {
        if (Array.isArray(v) && seg.index < v.length) next.push(childSlot(v, seg.index));
      } else if (!Array.isArray(v) && seg.key in v) {
        next.push(childSlot(v, seg.key));
      }
    }
    slots = next;
  }
  return slots;
}

function childSlot(container: object, key: string | number): Slot {
  const c = container as Record<string | number, unknown>;
  return { get: () => c[key], set: (val) => { c[key] = val; } };
}
