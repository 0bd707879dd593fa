// Docker image references: validation and the name Tilt matches on (tag and digest dropped, docker.io folded).

const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domain = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)';
const refRe = new RegExp(`^(?:${domain}/)?${component}(?:/${component})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

const validity = new Map<string, boolean>();

export function isValidRef(ref: string): boolean {
  let v = validity.get(ref);
  if (v === undefined) {
    v = checkRef(ref);
    if (validity.size > 10_000) validity.clear();
    validity.set(ref, v);
  }
  return v;
}

function checkRef(ref: string): boolean {
  if (!refRe.test(ref)) return false;
  // The first component is a registry host only if it looks like one; otherwise it must be lowercase like the rest.
  const first = ref.split('/')[0]!;
  const isHost = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost || first === first.toLowerCase();
}

/** `localhost:5000/app:dev` -> `localhost:5000/app`; `docker.io/library/redis` -> `redis`. */
export function matchName(ref: string): string {
  let r = ref.trim();
  const at = r.indexOf('@');
  if (at >= 0) r = r.slice(0, at);
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  if (colon > slash) r = r.slice(0, colon);
  if (r.startsWith('docker.io/')) r = r.slice('docker.io/'.length);
  else if (r.startsWith('index.docker.io/')) r = r.slice('index.docker.io/'.length);
  if (r.startsWith('library/') && r.split('/').length === 2) r = r.slice('library/'.length);
  return r;
}

/** The tag of a ref, or '' when it has none. */
export function tagOf(ref: string): string {
  const r = ref.split('@')[0]!;
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  return colon > slash ? r.slice(colon + 1) : '';
}
