// Docker image reference parsing, just enough to match refs by name the way Docker normalises them
// ("nginx" = "docker.io/library/nginx"), ignoring tags and digests.

export interface ParsedRef {
  /** Normalised repository name, e.g. "docker.io/library/nginx", "localhost:5000/api". */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(ref: string): ParsedRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: normaliseName(rest), tag, digest };
}

function normaliseName(name: string): string {
  const parts = name.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return name.toLowerCase().startsWith('index.docker.io/') ? 'docker.io/' + parts.slice(1).join('/') : name;
  if (parts.length === 1) return `docker.io/library/${name}`;
  return `docker.io/${name}`;
}

/** Same repository, ignoring tag and digest. */
export function sameImageName(a: string, b: string): boolean {
  return parseImageRef(a).name === parseImageRef(b).name;
}
